"""The whole configuration file as one frozen object."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from agent.config.approval import ApprovalSection
from agent.config.base import Section
from agent.config.general import HearthSection
from agent.config.home import (
    AreaSection,
    DeviceOverrideSection,
    DeviceSection,
    DiscoverySection,
    FloorSection,
    RuleSection,
    SatelliteSection,
    SentenceSection,
    name_key,
)
from agent.config.ledger import BudgetSection, LedgerSection, PricesSection
from agent.config.models import (
    AnthropicSection,
    OllamaSection,
    RouterSection,
    TierSection,
    _default_tiers,
)
from agent.config.mqtt import MqttSection
from agent.config.notify import NotifySection, duplicate_names
from agent.config.privacy import AskSection, HistorySection, LearnSection, PrivacySection
from agent.config.schedule import BriefingSection, FeedsSection, SchedulerSection
from agent.config.telegram import TelegramSection
from agent.words import plural

TIER_NAMES = ("local", "fast", "deep")


class HearthConfig(Section):
    """Validated configuration. Every field has a default, so an empty file is valid."""

    hearth: HearthSection = HearthSection()
    mqtt: MqttSection = MqttSection()
    ollama: OllamaSection = OllamaSection()
    anthropic: AnthropicSection = AnthropicSection()
    router: RouterSection = RouterSection()
    tiers: dict[str, TierSection] = Field(default_factory=_default_tiers)
    ledger: LedgerSection = LedgerSection()
    budget: BudgetSection = BudgetSection()
    prices: PricesSection = PricesSection()
    devices: tuple[DeviceSection, ...] = ()
    rules: tuple[RuleSection, ...] = ()
    discovery: DiscoverySection = DiscoverySection()
    floors: tuple[FloorSection, ...] = ()
    areas: tuple[AreaSection, ...] = ()
    device_overrides: tuple[DeviceOverrideSection, ...] = ()
    satellites: tuple[SatelliteSection, ...] = ()
    sentences: tuple[SentenceSection, ...] = ()
    approval: ApprovalSection = ApprovalSection()
    scheduler: SchedulerSection = SchedulerSection()
    feeds: FeedsSection = FeedsSection()
    briefing: BriefingSection = BriefingSection()
    privacy: PrivacySection = PrivacySection()
    ask: AskSection = AskSection()
    history: HistorySection = HistorySection()
    learn: LearnSection = LearnSection()
    notify: tuple[NotifySection, ...] = ()
    telegram: TelegramSection = TelegramSection()
    # Per-skill sections; each is validated against its skill's own schema at start-up.
    skills: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _merge_default_tiers(cls, data: Any) -> Any:
        # A file that overrides only [tiers.deep] keeps the default local and fast tiers.
        if isinstance(data, dict) and isinstance(data.get("tiers"), dict):
            merged: dict[str, Any] = {k: v.model_dump() for k, v in _default_tiers().items()}
            merged.update(data["tiers"])
            data = {**data, "tiers": merged}
        return data

    @model_validator(mode="after")
    def _tiers_known(self) -> HearthConfig:
        unknown = sorted(set(self.tiers) - set(TIER_NAMES))
        if unknown:
            raise ValueError(f"{plural(len(unknown), 'unknown tier')} ({', '.join(unknown)}); "
                             f"tiers are {', '.join(TIER_NAMES)}")
        for name, tier in self.tiers.items():
            if name in tier.fallback:
                raise ValueError(f"tiers.{name}.fallback lists the tier itself")
        return self

    @model_validator(mode="after")
    def _notify_names(self) -> HearthConfig:
        # `hearth notify test NAME` and the status lines name an entry: one name, one entry.
        dupes = duplicate_names(self.notify)
        if dupes:
            raise ValueError(f"notify: the name {dupes[0]!r} is given to more than one entry")
        return self

    @model_validator(mode="after")
    def _household_names(self) -> HearthConfig:
        # One spoken name must mean one place: "downstairs" cannot be a floor and a room.
        seen: dict[str, str] = {}
        places: list[tuple[str, tuple[str, ...]]] = (
            [(f"floors[{i}]", (f.name, *f.aliases)) for i, f in enumerate(self.floors)]
            + [(f"areas[{i}]", (a.name, *a.aliases)) for i, a in enumerate(self.areas)])
        for where, words in places:
            for word in words:
                key = name_key(word)
                if key in seen and seen[key] != where:
                    raise ValueError(f"{where}: {word!r} already names {seen[key]}")
                seen[key] = where
        areas = {name_key(w) for a in self.areas for w in (a.name, *a.aliases)}
        for i, area in enumerate(self.areas):
            if area.floor is not None and seen.get(name_key(area.floor), "floors").startswith("areas"):
                raise ValueError(f"areas[{i}].floor: {area.floor!r} is an area, not a floor")
        for i, satellite in enumerate(self.satellites):
            if name_key(satellite.area) not in areas:
                known = ", ".join(a.name for a in self.areas) or "none configured"
                raise ValueError(f"satellites[{i}].area: {satellite.area!r} is not an [[areas]] "
                                 f"name or alias (areas: {known})")
        ids = [s.id for s in self.satellites]
        if len(ids) != len(set(ids)):
            raise ValueError("satellites: an id is listed twice")
        return self

    def floor_names(self) -> tuple[str, ...]:
        """Every floor: the `[[floors]]` ones, then any an area names that has no section."""
        names = [f.name for f in self.floors]
        known = {name_key(w) for f in self.floors for w in (f.name, *f.aliases)}
        for area in self.areas:
            if area.floor is not None and name_key(area.floor) not in known:
                known.add(name_key(area.floor))
                names.append(area.floor)
        return tuple(names)
