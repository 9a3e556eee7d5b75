"""The scheduler: APScheduler 3.x for timing, hearth's database for what actually ran.

APScheduler runs with its in-memory job store only: jobs are configuration, rebuilt at every
start. Persistent stores are avoided on purpose: `replace_existing=True`
silently drops the missed run, and pickled jobs are code execution for whoever writes the
table. Missed runs are instead found by `catch_up()` from the `job_runs` history: today's
run that has no row is run once if its catch-up window is still open, else recorded as
"missed" and logged. Every run first claims its unique (job, planned time) row, so a run
never happens twice, whoever fires it (APScheduler, catch-up, a second daemon).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from typing import Literal

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from agent.config.root import HearthConfig
from agent.db import Database
from agent.errors import ConfigError, HearthError
from agent.scheduler import history
from agent.scheduler.cron import crontab_trigger, dst_risky_hours, last_fire_time, next_fire_time
from agent.scheduler.jobs import JobDef

log = logging.getLogger(__name__)

RunCallback = Callable[[str, str, datetime, bool], Awaitable[None]]  # skill, job, planned, catch_up
Action = Literal["run", "missed", "done", "none", "clock_unset", "error"]
# A Pi without an RTC boots at its last shutdown time (or 1970) until NTP syncs: no
# scheduled work runs, and nothing is recorded as missed, while the clock is that wrong.
MIN_SANE_YEAR = 2026
# Catch-up windows are at most 24 h (config limits); look back a little further.
_LOOKBACK = timedelta(hours=25)
_HEARTBEAT = "hearth.heartbeat"


@dataclass(frozen=True, slots=True)
class CatchUpDecision:
    """What `catch_up` decided for one job's most recent planned run."""

    job: str
    planned: datetime | None
    action: Action
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Job:
    spec: JobDef
    trigger: CronTrigger


class Scheduler:
    """Cron jobs in the household's timezone, with catch-up and a run history.

    `run(skill, job, planned, catch_up)` does the work (the daemon passes the dispatcher);
    `clock` returns tz-aware UTC now (tests drive it).
    """

    def __init__(self, config: HearthConfig, db: Database, run: RunCallback, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.zone = config.hearth.zone
        self._db = db
        self._run = run
        self._clock = clock or (lambda: datetime.now(UTC))
        self._jobs: dict[str, _Job] = {}
        self._aps: AsyncIOScheduler | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Set while the clock was too wrong to catch up; the heartbeat retries once it is not.
        self._catch_up_pending = False

    # -- jobs -----------------------------------------------------------------------------

    def add(self, job: str, skill: str, cron: str, *, catch_up_until: str | None,
            catch_up_hours: float) -> None:
        """Add a job before `start()`; a bad cron or a duplicate name raises ConfigError."""
        if job in self._jobs or job == _HEARTBEAT:
            raise ConfigError(f"scheduled job {job!r} is defined twice")
        if self._aps is not None:
            raise ConfigError(f"job {job!r} added after the scheduler started")
        spec = JobDef(job, skill, " ".join(cron.split()), catch_up_until, catch_up_hours)
        self._jobs[job] = _Job(spec, crontab_trigger(spec.cron, self.zone))
        if dst_risky_hours(spec.cron):
            log.warning("job %s (%s) may fire between 01:00 and 03:59, where a DST change "
                        "skips or repeats it", job, spec.cron)

    def add_all(self, jobs: list[JobDef]) -> None:
        """`add` each of `jobs` (see `configured_jobs`)."""
        for j in jobs:
            self.add(j.name, j.skill, j.cron, catch_up_until=j.catch_up_until,
                     catch_up_hours=j.catch_up_hours)

    @property
    def jobs(self) -> list[JobDef]:
        """The jobs added so far."""
        return [j.spec for j in self._jobs.values()]

    def next_runs(self) -> list[tuple[str, datetime]]:
        """Each job's next planned run (in the household's timezone), soonest first."""
        now = self._clock()
        runs: list[tuple[str, datetime]] = []
        for name, job in self._jobs.items():
            aps_job = self._aps.get_job(name) if self._aps is not None else None
            when = aps_job.next_run_time if aps_job is not None else next_fire_time(job.trigger, now)
            if when is not None:
                runs.append((name, when.astimezone(self.zone)))
        return sorted(runs, key=lambda r: r[1])

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start APScheduler inside the running loop, then catch up missed runs once."""
        if self._aps is not None:
            return
        # The stock AsyncIOExecutor runs the no-op `_tick` coroutine; the run itself starts from
        # the submission event, which carries the planned time (the history row's key).
        aps = AsyncIOScheduler(
            timezone=self.zone,
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": self.config.scheduler.misfire_grace_seconds},
        )
        for name, job in self._jobs.items():
            aps.add_job(_tick, job.trigger, id=name, name=name)
        # Wakes APScheduler every minute, so a wall-clock jump (NTP sync on a Pi) is noticed.
        aps.add_job(_tick, IntervalTrigger(seconds=60), id=_HEARTBEAT, name=_HEARTBEAT)
        aps.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        aps.start()
        self._aps = aps
        await self.catch_up()

    async def stop(self) -> None:
        """Stop timing new runs and cancel runs in progress (their rows say so)."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until every run started so far has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- runs -----------------------------------------------------------------------------

    async def catch_up(self) -> list[CatchUpDecision]:
        """Run once each job's latest planned run that has no history row, if its window is
        still open; record and log the stale ones as missed. Safe to call again (after a
        clock sync): claimed runs are never repeated."""
        now = self._clock()
        if now.year < MIN_SANE_YEAR:
            log.warning("clock reads %s: catch-up postponed until the time is synced",
                        now.isoformat())
            self._catch_up_pending = True
            return [CatchUpDecision(name, None, "clock_unset") for name in self._jobs]
        self._catch_up_pending = False
        decisions = []
        for job in self._jobs.values():
            try:
                decisions.append(await self._catch_up_one(job, now))
            except HearthError as exc:
                # The history is unreadable (database down): run nothing rather than risk
                # running twice; the next catch_up (or the next planned run) tries again.
                log.warning("job %s: catch-up skipped, run history unavailable: %s",
                            job.spec.name, exc)
                decisions.append(CatchUpDecision(job.spec.name, None, "error", str(exc)))
        return decisions

    async def _catch_up_one(self, job: _Job, now: datetime) -> CatchUpDecision:
        name = job.spec.name
        planned = last_fire_time(job.trigger, now.astimezone(self.zone), _LOOKBACK)
        if planned is None:
            return CatchUpDecision(name, None, "none", "no run planned in the last day")
        planned = planned.astimezone(UTC)
        existing = await self._db.read(partial(history.find, job=name, planned=planned))
        if existing is not None:
            return CatchUpDecision(name, planned, "done", existing.outcome)
        end = job.spec.window_end(planned, self.zone)
        if now > end:
            reason = (f"started at {now.astimezone(self.zone):%H:%M}, after the catch-up "
                      f"window ({job.spec.describe_window()}) closed at "
                      f"{end.astimezone(self.zone):%Y-%m-%d %H:%M}")
            # Before the very first run there was nothing to miss: say so quietly.
            first = not await self._db.read(partial(history.latest, jobs=[name]))
            recorded = await self._db.write(partial(
                history.claim, job=name, planned=planned, now=now, outcome="missed",
                detail=reason))
            if recorded and first:
                log.info("job %s: first start is after today's window (%s); next run %s",
                         name, job.spec.describe_window(),
                         _local_minute(next_fire_time(job.trigger, now), self.zone))
            elif recorded:
                log.warning("job %s planned %s skipped: %s", name,
                            planned.astimezone(self.zone).isoformat(), reason)
            return CatchUpDecision(name, planned, "missed", reason)
        if not await self._claim(name, planned, now):
            return CatchUpDecision(name, planned, "done", "claimed meanwhile")
        log.info("job %s planned %s was missed; running it now (window %s)", name,
                 planned.astimezone(self.zone).isoformat(), job.spec.describe_window())
        self._spawn(job.spec, planned, catch_up=True)
        return CatchUpDecision(name, planned, "run", f"inside window {job.spec.describe_window()}")

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        """APScheduler's listener (called on the loop) for a job handed to its executor."""
        try:
            self._fire(str(event.job_id), event.scheduled_run_times[-1])
        except Exception:
            # APScheduler would only log this under its own logger; say which job it was.
            log.exception("job %s: could not start its run", event.job_id)

    def _fire(self, job_id: str, planned: datetime) -> None:
        """Called by APScheduler (on the loop) when a job is due."""
        job = self._jobs.get(job_id)
        if job is None:  # the heartbeat
            if self._catch_up_pending and self._clock().year >= MIN_SANE_YEAR:
                task = asyncio.get_running_loop().create_task(self._catch_up_after_sync(),
                                                              name="catch-up")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return
        self._spawn(job.spec, planned.astimezone(UTC), catch_up=False, claim=True)

    async def _catch_up_after_sync(self) -> None:
        log.info("clock synced; catching up missed runs now")
        await self.catch_up()

    def _spawn(self, spec: JobDef, planned: datetime, *, catch_up: bool,
               claim: bool = False) -> None:
        task = asyncio.get_running_loop().create_task(
            self._execute(spec, planned, catch_up=catch_up, claim=claim),
            name=f"job:{spec.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _claim(self, job: str, planned: datetime, now: datetime) -> bool:
        return await self._db.write(partial(history.claim, job=job, planned=planned, now=now))

    async def _execute(self, spec: JobDef, planned: datetime, *, catch_up: bool,
                       claim: bool) -> None:
        try:
            if claim and not await self._claim(spec.name, planned, self._clock()):
                log.info("job %s planned %s already ran; not running it again", spec.name,
                         planned.isoformat())
                return
        except HearthError:
            log.exception("job %s: cannot record its run; not running it", spec.name)
            return
        outcome, detail = "ok", None
        try:
            await self._run(spec.skill, spec.name, planned, catch_up)
        except asyncio.CancelledError:
            outcome, detail = "error", "cancelled at shutdown"
            raise
        except HearthError as exc:
            outcome, detail = "error", f"{type(exc).__name__}: {exc}"
            log.warning("job %s failed: %s", spec.name, detail)
        except Exception as exc:
            outcome, detail = "error", f"{type(exc).__name__}: {exc}"
            log.exception("job %s crashed", spec.name)
        finally:
            await asyncio.shield(self._finish(spec.name, planned, outcome, detail))

    async def _finish(self, job: str, planned: datetime, outcome: str,
                      detail: str | None) -> None:
        try:
            await self._db.write(partial(history.finish, job=job, planned=planned,
                                         now=self._clock(), outcome=outcome, detail=detail))
        except HearthError:
            log.exception("job %s: cannot record how its run ended", job)


async def _tick() -> None:
    """APScheduler's job target: a no-op coroutine (a plain function would need a thread).

    Runs start from the submission event (`Scheduler._on_submitted`), not from here.
    """


def _local_minute(moment: datetime | None, zone: tzinfo) -> str:
    return "none planned" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
