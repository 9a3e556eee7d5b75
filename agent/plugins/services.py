"""What a skill may use: the `Services` its setup hook (and every handler call) receives.

Everything here is narrowed to the skill: the router is bound to its name and tier, `tools`
holds only what it declared, the publisher sends only on topics it declared (never on a
device's command topic: devices are switched through the device tools, with their
confirmation rules), the ledger view writes only rows in its own name. Built-in skills get
exactly this and nothing more, so a third-party skill can do what they do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from agent.errors import SkillError
from agent.mqtt.topics import topic_matches
from agent.router.types import ToolSpec

if TYPE_CHECKING:
    from agent.config.root import HearthConfig
    from agent.db import Database
    from agent.devices.model import Device, DeviceState
    from agent.devices.queries import StateAnswer, StateQuestion
    from agent.devices.state import Reading
    from agent.ledger import Ledger
    from agent.ledger.types import CallRecord, CapStatus, LedgerEntry, Reservation, SpendLine, SpendReport
    from agent.notifiers.types import Notifier, PartProvider
    from agent.plugins.contract import SkillRouter
    from agent.router.batches import BatchClient


class Clock(Protocol):
    """The time as a skill sees it (tests and benchmarks pass a fake one)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    """The real clock; `now` may be replaced (a benchmark's simulated day)."""

    now_fn: Callable[[], datetime] | None = None

    def now(self) -> datetime:
        """The current time (UTC unless `now_fn` says otherwise)."""
        return self.now_fn() if self.now_fn is not None else datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """`asyncio.sleep`."""
        await asyncio.sleep(seconds)


class DeviceView(Protocol):
    """Read-only access to the devices hearth knows and their last reported states."""

    def devices(self) -> list[Device]:
        """Every known device."""
        ...

    def resolve(self, name: str) -> Device | None:
        """The device a person's name for it means, if any."""
        ...

    def state(self, device_id: str) -> DeviceState | None:
        """The device's last reported state (None when it never reported)."""
        ...

    def areas(self) -> list[str]:
        """The areas devices are in."""
        ...

    def reading(self, device_id: str) -> Reading:
        """The device's last value and whether it is still true (fresh, else `why` not)."""
        ...

    def answer(self, question: StateQuestion) -> StateAnswer:
        """A state question ("is the garage door open") answered from reported states."""
        ...


class CommandTopics(Protocol):
    """What the publisher asks of the device registry."""

    def is_command_topic(self, topic: str) -> bool:
        """Whether publishing on `topic` would command a device."""
        ...


Publish = Callable[[str, bytes, bool], Awaitable[None]]


class TopicPublisher:
    """Publishes on the topics the skill declared in `publishes`, and nowhere else."""

    def __init__(self, skill: str, allowed: tuple[str, ...], publish: Publish | None,
                 devices: CommandTopics) -> None:
        self.skill = skill
        self.allowed = allowed
        self._publish = publish
        self._devices = devices

    @property
    def has_broker(self) -> bool:
        """Whether this process has an MQTT broker (a one-shot CLI command has none)."""
        return self._publish is not None

    def check(self, topic: str) -> None:
        """Raise SkillError unless the skill may publish on `topic`."""
        if not any(topic_matches(pattern, topic) for pattern in self.allowed):
            raise SkillError(f"skill {self.skill!r} may not publish on {topic!r} (not in its "
                             "declared `publishes`)", skill=self.skill)
        if self._devices.is_command_topic(topic):
            raise SkillError(f"skill {self.skill!r} may not publish on {topic!r}: it commands "
                             "a device (use the device tools)", skill=self.skill)

    async def publish(self, topic: str, payload: str | bytes, *, retain: bool = False) -> None:
        """Send one message (QoS 1). SkillError for a topic the skill may not use; a
        DeviceError (BrokerUnavailable) when this process has no broker."""
        self.check(topic)
        if self._publish is None:
            from agent.mqtt.types import BrokerUnavailable

            raise BrokerUnavailable("no MQTT broker in this process")
        await self._publish(topic, payload.encode() if isinstance(payload, str) else payload,
                            retain)


class SkillLedger:
    """The ledger as one skill sees it: spend reports, caps, and rows in its own name only."""

    def __init__(self, skill: str, ledger: Ledger) -> None:
        self.skill = skill
        self._ledger = ledger

    async def spent(self, start: datetime, end: datetime) -> SpendLine:
        """What this skill spent in [start, end) (a zero line when it made no call)."""
        from agent.ledger.types import SpendLine

        report = await self._ledger.spend_between(start, end)
        for line in report.by_skill:
            if line.name == self.skill:
                return line
        return SpendLine(self.skill, 0, 0, 0)

    async def house(self, start: datetime, end: datetime) -> SpendReport:
        """What the whole household spent in [start, end)."""
        return await self._ledger.spend_between(start, end)

    async def caps(self) -> list[CapStatus]:
        """Every cap with what is left of it."""
        return await self._ledger.budget_status()

    async def reserve(self, **kwargs: Any) -> Reservation:
        """Reserve budget for one call made outside the router (a batch); `skill` is pinned."""
        kwargs["skill"] = self.skill
        return await self._ledger.reserve(**kwargs)

    def _own(self, record: CallRecord) -> None:
        if record.skill != self.skill:
            raise SkillError(f"skill {self.skill!r} may not write a ledger row for "
                             f"{record.skill!r}", skill=self.skill)

    async def settle(self, reservation: Reservation | None, record: CallRecord) -> LedgerEntry:
        """Close a reservation with what the call cost."""
        self._own(record)
        return await self._ledger.settle(reservation, record)

    async def release(self, reservation: Reservation, record: CallRecord) -> LedgerEntry:
        """Close a reservation for a call that was never billed."""
        self._own(record)
        return await self._ledger.release(reservation, record)


class PartBoard:
    """The briefing's part providers; skills add theirs at setup, the briefing reads them
    on every run (so a part added by a skill set up after the briefing is still there)."""

    def __init__(self) -> None:
        self._parts: list[PartProvider] = []

    def add(self, part: PartProvider) -> None:
        """Contribute `part` to every briefing from now on."""
        self._parts.append(part)

    def parts(self) -> tuple[PartProvider, ...]:
        """The providers, in the order they were added."""
        return tuple(self._parts)


@dataclass(frozen=True, slots=True)
class Storage:
    """The skill's own storage: a directory (`<state>/skills/<name>/`, made 0700 on first
    use) and the database, for tables that hearth's own migrations create."""

    root: Path
    database: Database

    @property
    def directory(self) -> Path:
        """The skill's directory, created (0700) when first asked for."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.root


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a skill may use. Built once per skill per runtime; frozen."""

    name: str
    router: SkillRouter
    tools: Mapping[str, ToolSpec]
    config: BaseModel | None
    log: logging.Logger
    devices: DeviceView
    publisher: TopicPublisher
    clock: Clock
    zone: ZoneInfo
    storage: Storage
    notifiers: tuple[Notifier, ...]
    spend: SkillLedger
    parts: PartBoard
    # The household's configuration ([feeds], [briefing] for the built-ins); secrets unresolved.
    household: HearthConfig
    # The Anthropic Batches client; None without an API key.
    batches: BatchClient | None
    # Register a cleanup that runs when this runtime closes (the opener's exit stack).
    at_close: Callable[[Callable[[], Awaitable[None]]], None]
