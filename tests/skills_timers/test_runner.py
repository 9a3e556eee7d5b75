"""The runner alone: announcements to the notifiers, and retries when nothing delivered."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.db import Database
from agent.errors import DeliveryFailed
from agent.mqtt.types import BrokerUnavailable
from agent.notifiers.types import Briefing
from agent.plugins.services import TopicPublisher
from skills.timers.runner import RETRY_S, TimerRunner
from skills.timers.store import RUNNING, TimerRow, TimerStore, new_id
from tests.skills_timers.support import FakeClock
from tests.support.waiting import until

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@dataclass
class Notes:
    """A notifier that keeps what it was given, or refuses while `down`."""

    name: str
    down: bool = False
    got: list[Briefing] = field(default_factory=list)

    async def deliver(self, briefing: Briefing) -> None:
        if self.down:
            raise DeliveryFailed("phone unreachable", notifier=self.name)
        self.got.append(briefing)


class NoDevices:
    def is_command_topic(self, topic: str) -> bool:
        return False


@dataclass
class Wire:
    """The publish callable behind the skill's publisher; refuses while `down`."""

    down: bool = False
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    async def __call__(self, topic: str, payload: bytes, retain: bool) -> None:
        if self.down:
            raise BrokerUnavailable("broker away")
        self.sent.append((topic, payload))


@pytest.fixture
def db(state_dir: Path) -> Iterator[Database]:
    database = Database.open(None, state_dir)
    yield database
    database.close()


def runner(db: Database, clock: FakeClock, wire: Wire, *notifiers: Notes) -> TimerRunner:
    publisher = TopicPublisher("timers", ("casa/timer",), wire, NoDevices())
    return TimerRunner(TimerStore(db), clock=clock, zone=ZoneInfo("Europe/Berlin"),
                       publisher=publisher, notifiers=notifiers, topic="casa/timer",
                       log=logging.getLogger("test.timers"))


def timer(seconds: int, **extra: object) -> TimerRow:
    row = TimerRow(id=new_id(), name=None, area=None, command=None, duration_s=seconds,
                   started_at=START, ends_at=START + timedelta(seconds=seconds),
                   remaining_s=None, status=RUNNING, finished_at=None, announced=False,
                   requested_by="test")
    return dataclasses.replace(row, **extra)  # type: ignore[arg-type]


async def test_push_notifiers_hear_it_the_briefing_archives_do_not(db: Database) -> None:
    clock, wire = FakeClock(START), Wire()
    phone, mqtt, file = Notes("phone"), Notes("mqtt"), Notes("file")
    run = runner(db, clock, wire, phone, mqtt, file)
    row = timer(60, name="tea")
    await run.store.add(row)
    run.arm(row)
    await clock.advance(60)
    await until(lambda: phone.got)
    assert phone.got[0].spoken == "The tea timer is done."
    assert phone.got[0].title == "Timer done"
    assert mqtt.got == [] and file.got == []
    assert [t for t, _ in wire.sent] == ["casa/timer"]
    await run.close()


async def test_nothing_delivered_means_try_again_not_lost(db: Database) -> None:
    clock, wire = FakeClock(START), Wire(down=True)
    phone = Notes("phone", down=True)
    run = runner(db, clock, wire, phone)
    row = timer(30)
    await run.store.add(row)
    run.arm(row)
    await clock.advance(30)
    await until(lambda: clock.sleeping == 1)  # the retry's wait
    stored = await run.store.get(row.id)
    assert stored is not None and (stored.status, stored.announced) == ("finished", False)
    wire.down = False
    await clock.advance(RETRY_S)
    await until(lambda: wire.sent)
    stored = await until(lambda: _announced(db, row.id))
    assert stored
    await run.close()


def _announced(db: Database, timer_id: str) -> bool:
    from agent.db.models import Timer

    return bool(db.read_sync(lambda s: s.get(Timer, timer_id).announced))  # type: ignore[union-attr]


async def test_two_runtimes_announce_a_timer_once(db: Database) -> None:
    # Two processes sharing one database (a daemon restarting, a PostgreSQL household):
    # only the one that claims the timer announces it.
    clock = FakeClock(START)
    first, second = Wire(), Wire()
    a, b = runner(db, clock, first), runner(db, clock, second)
    row = timer(10)
    await a.store.add(row)
    a.arm(row)
    b.arm(row)
    await clock.advance(10)
    await until(lambda: _announced(db, row.id))
    assert len(first.sent) + len(second.sent) == 1
    await a.close()
    await b.close()
