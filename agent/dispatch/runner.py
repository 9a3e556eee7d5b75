"""Isolation: one skill's handler runs under its timeout and concurrency limit, and whatever
it does (raise, hang, ignore cancellation, return junk) ends as a logged, counted outcome.

Limit: a handler that blocks the event loop with synchronous work cannot be interrupted
from inside the loop; skills must be async all the way down (documented in docs/skills.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from agent.dispatch.result import Status
from agent.errors import SkillError
from agent.plugins.contract import Event, Reply, SkillContext
from agent.plugins.skillset import LoadedSkill

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SkillStats:
    """Counters for one skill since start-up (for `hearth status` and HA sensors)."""

    calls: int = 0
    ok: int = 0
    failed: int = 0
    timeouts: int = 0
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """How one handler call ended."""

    status: Status
    reply: Reply | None = None
    error: SkillError | None = None
    latency_ms: int = 0


class SkillRunner:
    """Runs one skill's handler in isolation; `run` never raises (except being cancelled)."""

    def __init__(self, loaded: LoadedSkill, context: SkillContext, *,
                 cancel_grace: float = 1.0) -> None:
        self.loaded = loaded
        self.context = context
        self.stats = SkillStats()
        self._slots = asyncio.Semaphore(loaded.concurrency)
        self._cancel_grace = cancel_grace
        # Handlers that ignored cancellation: kept referenced so they are not garbage
        # collected mid-flight, and counted so `hearth status` can show them.
        self._stragglers: set[asyncio.Task[RunOutcome]] = set()

    @property
    def name(self) -> str:
        """The skill's name."""
        return self.loaded.name

    @property
    def stragglers(self) -> int:
        """Timed-out handler calls still running because they ignored cancellation."""
        return len(self._stragglers)

    def _fail(self, status: Status, message: str, started: float,
              cause: BaseException | None = None) -> RunOutcome:
        self.stats.last_error = message
        if status == "timeout":
            self.stats.timeouts += 1
        else:
            self.stats.failed += 1
        error = SkillError(message, skill=self.name)
        # Kept so the dispatcher can tell a spent budget (hand over) from a bug (report).
        error.__cause__ = cause
        return RunOutcome(status, error=error, latency_ms=_ms(started))

    async def _call(self, event: Event, started: float) -> RunOutcome:
        # Waiting for a slot counts against the timeout: a saturated skill sheds load
        # instead of building an unbounded queue behind a hung call.
        async with self._slots:
            try:
                # Typed loosely: a third-party handler may return anything at all.
                reply: object = await self.loaded.handler(self.context, event)  # type: ignore[misc]
            except (Exception, SystemExit) as exc:
                # SystemExit too: a skill calling sys.exit() must not stop the daemon.
                log.exception("skill %s failed on %s: %s: %s", self.name,
                              type(event).__name__, type(exc).__name__, exc)
                return self._fail("failed", f"skill {self.name!r} failed: "
                                  f"{type(exc).__name__}: {exc}", started, exc)
        if reply is not None and not isinstance(reply, Reply):
            log.error("skill %s returned a %s, not a Reply", self.name, type(reply).__name__)
            return self._fail("failed", f"skill {self.name!r} returned "
                              f"{type(reply).__name__}, not a Reply", started)
        self.stats.ok += 1
        return RunOutcome("ok", reply=reply, latency_ms=_ms(started))

    async def run(self, event: Event) -> RunOutcome:
        """Call the handler with `event` under the skill's timeout and concurrency limit."""
        started = time.monotonic()
        self.stats.calls += 1
        task = asyncio.create_task(self._call(event, started), name=f"skill:{self.name}")
        try:
            done, _ = await asyncio.wait({task}, timeout=self.loaded.timeout)
        except asyncio.CancelledError:
            task.cancel()  # the dispatcher itself is shutting down: take the handler with it
            raise
        if done:
            return task.result()
        task.cancel()
        await asyncio.wait({task}, timeout=self._cancel_grace)
        if not task.done():
            log.error("skill %s ignored cancellation after its %.1f s timeout; left running",
                      self.name, self.loaded.timeout)
            self._stragglers.add(task)
            task.add_done_callback(self._stragglers.discard)
        log.error("skill %s timed out after %.1f s on %s", self.name, self.loaded.timeout,
                  type(event).__name__)
        return self._fail("timeout", f"skill {self.name!r} timed out after "
                          f"{self.loaded.timeout:g} s", started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
