"""Missed runs: caught up once inside the window, skipped and logged outside it (clock driven)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from agent.config import parse_config
from agent.db import Database
from agent.errors import ConfigError, SkillError
from agent.scheduler import BRIEFING_JOB, Scheduler, configured_jobs
from agent.scheduler.history import claim, find

BERLIN_CONFIG = parse_config({"hearth": {"timezone": "Europe/Berlin"}})
# 07:00 in Berlin on 24 November 2026 is 06:00 UTC.
PLANNED = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


class Runs:
    """Records the run callback's calls; optionally fails or blocks."""

    def __init__(self, fail: bool = False, block: asyncio.Event | None = None) -> None:
        self.calls: list[tuple[str, str, datetime, bool]] = []
        self.fail = fail
        self.block = block

    async def __call__(self, skill: str, job: str, planned: datetime, catch_up: bool) -> None:
        self.calls.append((skill, job, planned, catch_up))
        if self.block is not None:
            await self.block.wait()
        if self.fail:
            raise SkillError("feeds exploded", skill=skill)


def at(hour: int, minute: int) -> datetime:
    """Local Berlin wall-clock time on 24 November, as UTC."""
    return PLANNED + timedelta(hours=hour - 7, minutes=minute)


def briefing_scheduler(db: Database, runs: Runs, now: datetime) -> Scheduler:
    scheduler = Scheduler(BERLIN_CONFIG, db, runs, clock=lambda: now)
    scheduler.add_all(configured_jobs(BERLIN_CONFIG))
    return scheduler


async def test_missed_0700_run_is_caught_up_once_at_0720(db: Database) -> None:
    runs = Runs()
    scheduler = briefing_scheduler(db, runs, at(7, 20))
    (decision,) = await scheduler.catch_up()
    assert (decision.job, decision.planned, decision.action) == (BRIEFING_JOB, PLANNED, "run")
    await scheduler.drain()
    assert runs.calls == [("briefing", BRIEFING_JOB, PLANNED, True)]
    row = await db.read(partial(find, job=BRIEFING_JOB, planned=PLANNED))
    assert row is not None and row.outcome == "ok" and row.finished_at is not None
    # Asked again, and after a restart a few minutes later: never a second run.
    assert [d.action for d in await scheduler.catch_up()] == ["done"]
    restarted = briefing_scheduler(db, runs, at(7, 25))
    assert [d.action for d in await restarted.catch_up()] == ["done"]
    await restarted.drain()
    assert len(runs.calls) == 1


async def test_a_window_closed_before_the_very_first_start_is_info(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    runs = Runs()
    with caplog.at_level(logging.INFO, logger="agent.scheduler"):
        (decision,) = await briefing_scheduler(db, runs, at(11, 30)).catch_up()
    assert decision.action == "missed" and runs.calls == []
    mine = [r for r in caplog.records if BRIEFING_JOB in r.getMessage()]
    assert [(r.levelname, r.getMessage()) for r in mine] == [
        ("INFO", f"job {BRIEFING_JOB}: first start is after today's window (until 11:00); "
                 "next run 2026-11-25 07:00")]


async def test_missed_run_is_skipped_and_logged_at_1130(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    runs = Runs()
    # It ran yesterday: today's run was really missed, which deserves a WARNING.
    await db.write(partial(claim, job=BRIEFING_JOB, planned=PLANNED - timedelta(days=1),
                           now=PLANNED - timedelta(days=1), outcome="ok", detail=None))
    scheduler = briefing_scheduler(db, runs, at(11, 30))
    with caplog.at_level(logging.WARNING, logger="agent.scheduler"):
        (decision,) = await scheduler.catch_up()
    await scheduler.drain()
    assert decision.action == "missed" and "11:00" in decision.reason
    assert runs.calls == []
    row = await db.read(partial(find, job=BRIEFING_JOB, planned=PLANNED))
    assert row is not None and row.outcome == "missed"
    warnings = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(warnings) == 1 and BRIEFING_JOB in warnings[0]
    # A second start the same day does not log it again.
    caplog.clear()
    again = briefing_scheduler(db, runs, at(11, 45))
    assert [d.action for d in await again.catch_up()] == ["done"]
    assert not [r for r in caplog.records if "skipped" in r.getMessage()]


async def test_the_window_end_is_inclusive(db: Database) -> None:
    runs = Runs()
    assert [d.action for d in await briefing_scheduler(db, runs, at(11, 0)).catch_up()] == ["run"]


async def test_before_the_first_run_of_the_day_yesterday_is_the_candidate(db: Database) -> None:
    runs = Runs()
    (decision,) = await briefing_scheduler(db, runs, at(6, 30)).catch_up()
    assert decision.planned == PLANNED - timedelta(days=1)
    assert decision.action == "missed"


async def test_catch_up_hours_window(db: Database) -> None:
    runs = Runs()
    scheduler = Scheduler(BERLIN_CONFIG, db, runs, clock=lambda: at(9, 30))
    scheduler.add("news.fetch", "news", "0 9 * * *", catch_up_until=None, catch_up_hours=1)
    scheduler.add("tidy", "home", "0 8 * * *", catch_up_until=None, catch_up_hours=1)
    decisions = {d.job: d.action for d in await scheduler.catch_up()}
    await scheduler.drain()
    assert decisions == {"news.fetch": "run", "tidy": "missed"}
    assert [c[:2] for c in runs.calls] == [("news", "news.fetch")]


async def test_two_daemons_catching_up_together_run_once(db: Database) -> None:
    runs = Runs()
    first, second = (briefing_scheduler(db, runs, at(7, 20)) for _ in range(2))
    decisions = await asyncio.gather(first.catch_up(), second.catch_up())
    await asyncio.gather(first.drain(), second.drain())
    assert sorted(d[0].action for d in decisions) == ["done", "run"]
    assert len(runs.calls) == 1


async def test_a_failed_run_is_recorded_and_not_retried(db: Database) -> None:
    runs = Runs(fail=True)
    scheduler = briefing_scheduler(db, runs, at(7, 20))
    await scheduler.catch_up()
    await scheduler.drain()
    row = await db.read(partial(find, job=BRIEFING_JOB, planned=PLANNED))
    assert row is not None and row.outcome == "error" and "feeds exploded" in (row.detail or "")
    assert [d.action for d in await scheduler.catch_up()] == ["done"]


async def test_an_unsynced_clock_postpones_catch_up(db: Database) -> None:
    runs = Runs()
    scheduler = briefing_scheduler(db, runs, datetime(1970, 1, 1, 0, 5, tzinfo=UTC))
    assert [d.action for d in await scheduler.catch_up()] == ["clock_unset"]
    assert runs.calls == []
    # Once the clock is right, the same day's run is still caught up.
    scheduler._clock = lambda: at(7, 40)
    assert [d.action for d in await scheduler.catch_up()] == ["run"]
    await scheduler.drain()


async def test_stop_cancels_a_run_and_records_it(db: Database) -> None:
    runs = Runs(block=asyncio.Event())
    scheduler = briefing_scheduler(db, runs, at(7, 20))
    await scheduler.catch_up()
    while not runs.calls:
        await asyncio.sleep(0.01)
    await scheduler.stop()
    row = await db.read(partial(find, job=BRIEFING_JOB, planned=PLANNED))
    assert row is not None and row.outcome == "error" and row.detail == "cancelled at shutdown"


def test_duplicate_and_bad_jobs_are_config_errors(db: Database) -> None:
    scheduler = Scheduler(BERLIN_CONFIG, db, Runs())
    scheduler.add("a", "news", "0 6 * * *", catch_up_until=None, catch_up_hours=1)
    with pytest.raises(ConfigError, match="twice"):
        scheduler.add("a", "news", "0 6 * * *", catch_up_until=None, catch_up_hours=1)
    with pytest.raises(ConfigError, match="cron"):
        scheduler.add("b", "news", "0 6 * *", catch_up_until=None, catch_up_hours=1)


def test_configured_jobs_collects_every_source() -> None:
    from agent.plugins.contract import ScheduleSpec, SkillDeclaration

    config = parse_config({
        "briefing": {"cron": "30 6 * * 1-5", "digest": {"enabled": True}},
        "scheduler": {"jobs": [{"name": "tidy", "skill": "home", "cron": "0 3 * * *"}]},
    })
    decl = SkillDeclaration(name="news", description="d", tier="local",
                            schedules=(ScheduleSpec("fetch", "45 6 * * *", "10:00"),))
    jobs = {j.name: j for j in configured_jobs(config, [decl])}
    assert set(jobs) == {BRIEFING_JOB, "digest.weekly", "tidy", "news.fetch"}
    assert jobs[BRIEFING_JOB].cron == "30 6 * * 1-5"
    assert jobs[BRIEFING_JOB].catch_up_until == "11:00"
    assert jobs["news.fetch"].catch_up_until == "10:00"


async def test_an_unreadable_history_runs_nothing(state_dir: Path) -> None:
    runs = Runs()
    db = Database.open(None, state_dir)
    scheduler = briefing_scheduler(db, runs, at(7, 20))
    db.close()  # the database goes away: catch-up must not guess
    assert [d.action for d in await scheduler.catch_up()] == ["error"]
    assert runs.calls == []
