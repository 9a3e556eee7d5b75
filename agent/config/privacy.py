"""What may leave the house and what models may see: `[privacy]`; and the conversation
settings that go with it: `[ask]`, `[history]`, `[learn]`."""

from __future__ import annotations

from pydantic import Field

from agent.config.base import Section
from agent.config.home import DeviceKind
from agent.config.models import TierName
from agent.config.scopes import Scope, ScopePolicy

__all__ = ["AskSection", "ExposeSection", "HideSection", "HistorySection", "LearnSection",
           "PrivacySection", "Scope", "ScopePolicy"]


class ExposeSection(Section):
    """Devices any model may see (`[privacy.expose]`); each list empty means all."""

    areas: tuple[str, ...] = ()
    kinds: tuple[DeviceKind, ...] = ()
    devices: tuple[str, ...] = ()


class HideSection(Section):
    """Devices no model may see (`[privacy.hide]`); hiding wins over exposing."""

    areas: tuple[str, ...] = ()
    kinds: tuple[DeviceKind, ...] = ()
    devices: tuple[str, ...] = ()


class PrivacySection(Section):
    """Scopes allowed on cloud tiers and the devices exposed to models at all."""

    # Device names and states, their history and timers/lists stay in the house unless added.
    cloud_scopes: tuple[Scope, ...] = ("utterance", "conversation", "news", "lists", "spend")
    expose: ExposeSection = ExposeSection()
    hide: HideSection = HideSection()


class AskSection(Section):
    """Free-text questions: follow-ups and the tier a request may pick."""

    # Tiers a JSON "tier" on <prefix>/ask may pick; empty: the field is ignored.
    mqtt_tiers: tuple[TierName, ...] = ()
    follow_up_minutes: float = Field(5, ge=0, le=120)
    follow_up_turns: int = Field(6, ge=1, le=20)
    follow_up_chars: int = Field(6000, ge=500, le=50_000)


class HistorySection(Section):
    """The device state history the assistant and advisor read."""

    days: int = Field(7, ge=1, le=31)
    sample_seconds: float = Field(60, ge=5)
    max_rows: int = Field(100_000, ge=1000)


class LearnSection(Section):
    """Learning phrasings the dispatcher resolved, to answer them at tier 0 next time."""

    record: bool = True
    auto_accept_after: int | None = Field(None, ge=2)
