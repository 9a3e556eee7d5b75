"""The real AsyncIOScheduler firing jobs inside the running loop."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.config import parse_config
from agent.db import Database
from agent.scheduler import BRIEFING_JOB, Scheduler, configured_jobs
from agent.scheduler import scheduler as scheduler_module
from agent.scheduler.history import find

CONFIG = parse_config({"hearth": {"timezone": "America/New_York"}})


async def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_next_runs_are_in_the_household_zone(db: Database) -> None:
    now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in New York
    scheduler = Scheduler(CONFIG, db, lambda *a: asyncio.sleep(0), clock=lambda: now)
    scheduler.add_all(configured_jobs(CONFIG))
    ((job, when),) = scheduler.next_runs()
    assert job == BRIEFING_JOB
    assert when.tzinfo is not None and str(when.tzinfo) == "America/New_York"
    assert (when.day, when.hour, when.minute) == (25, 7, 0)


async def test_a_due_job_runs_with_its_planned_time_and_only_once(db: Database) -> None:
    calls: list[tuple[str, str, datetime, bool]] = []

    async def run(skill: str, job: str, planned: datetime, catch_up: bool) -> None:
        calls.append((skill, job, planned, catch_up))

    scheduler = Scheduler(CONFIG, db, run)
    scheduler.add("tick", "home", "0 4 * * *", catch_up_until=None, catch_up_hours=0)
    await scheduler.start()
    try:
        aps = scheduler._aps  # APScheduler's own handle: move the next run to "now"
        assert aps is not None
        due = (datetime.now(UTC) + timedelta(milliseconds=300)).replace(microsecond=0)
        due = due + timedelta(seconds=1)
        aps.modify_job("tick", next_run_time=due)
        await wait_for(lambda: calls)
        await scheduler.drain()
        assert calls == [("home", "tick", due, False)]
        row = await db.read(partial(find, job="tick", planned=due))
        assert row is not None and row.outcome == "ok"
        # APScheduler firing the same planned time again (e.g. a second daemon) is refused.
        aps.modify_job("tick", next_run_time=due)
        aps.wakeup()
        await asyncio.sleep(0.5)
        await scheduler.drain()
        assert len(calls) == 1
        (name, nxt), = scheduler.next_runs()
        assert name == "tick" and nxt > due
    finally:
        await scheduler.stop()


async def test_the_heartbeat_catches_up_once_the_clock_is_synced(db: Database) -> None:
    calls: list[datetime] = []

    async def run(skill: str, job: str, planned: datetime, catch_up: bool) -> None:
        calls.append(planned)

    now = [datetime(1970, 1, 1, 0, 1, tzinfo=UTC)]  # a Pi without an RTC, before NTP
    scheduler = Scheduler(CONFIG, db, run, clock=lambda: now[0])
    scheduler.add_all(configured_jobs(CONFIG))
    await scheduler.start()
    try:
        assert calls == []
        now[0] = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)  # 07:30 in New York: synced
        aps = scheduler._aps
        assert aps is not None
        aps.modify_job("hearth.heartbeat", next_run_time=datetime.now(UTC))
        await wait_for(lambda: calls)
        await scheduler.drain()
        assert calls == [datetime(2026, 11, 24, 12, 0, tzinfo=UTC)]
    finally:
        await scheduler.stop()


async def test_a_coalesced_run_after_a_clock_jump_gets_the_latest_planned_time(db: Database) -> None:
    calls: list[datetime] = []

    async def run(skill: str, job: str, planned: datetime, catch_up: bool) -> None:
        calls.append(planned)

    zone = ZoneInfo("America/New_York")
    # hearth's own clock is unset, so its start-up catch-up claims nothing: only APScheduler fires.
    scheduler = Scheduler(CONFIG, db, run, clock=lambda: datetime(1970, 1, 1, tzinfo=UTC))
    scheduler.add("tick", "home", "0 4 * * *", catch_up_until=None, catch_up_hours=0)
    await scheduler.start()
    try:
        aps = scheduler._aps
        assert aps is not None
        # As if the wall clock jumped three days forward past three planned runs.
        now = datetime.now(zone)
        latest = now.replace(hour=4, minute=0, second=0, microsecond=0)
        if latest > now:
            latest -= timedelta(days=1)
        aps.modify_job("tick", next_run_time=latest - timedelta(days=2))
        await wait_for(lambda: calls)
        await scheduler.drain()
        assert calls == [latest.astimezone(UTC)]
    finally:
        await scheduler.stop()


async def test_jobs_target_a_coroutine_so_idle_needs_no_thread(db: Database) -> None:
    scheduler = Scheduler(CONFIG, db, lambda *a: asyncio.sleep(0))
    scheduler.add_all(configured_jobs(CONFIG))
    await scheduler.start()
    try:
        aps = scheduler._aps
        assert aps is not None
        assert all(inspect.iscoroutinefunction(job.func) for job in aps.get_jobs())
    finally:
        await scheduler.stop()


def test_only_the_public_apscheduler_api_is_used() -> None:
    source = Path(scheduler_module.__file__).read_text(encoding="utf-8")
    for private in ("_do_submit_job", "_run_job_success", "BaseExecutor"):
        assert private not in source
