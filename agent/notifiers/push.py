"""Push notifications: one queue and one worker task per `[[notify]]` entry.

`PushService.post` files a notice with every entry that takes its event and returns at
once. Each entry's task delivers its queue in order through a short-lived Apprise worker
process (`apprise_worker.py`), so a hung or failing service holds up only its own queue,
and the daemon never imports Apprise (about 36 MB once its plugins load). A delivery is
tried `len(retry_delays) + 1` times, each attempt killed after `attempt_timeout`; after the
last failure one warning names the entry (never its URL) and `status()` shows the reason.
During an entry's quiet hours the notices in `HELD_EVENTS` wait in memory (bounded) and go
out when the hours end.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.config.notify import NotifySection, duplicate_names
from agent.errors import ConfigError, DeliveryFailed
from agent.notifiers.apprise_run import fill_url, message_of, run_worker, scrubbed, service_of
from agent.notifiers.events import Notice
from agent.notifiers.quiet import HELD_EVENTS, QuietHours

log = logging.getLogger(__name__)

QUEUE_SIZE = 50     # a service down all day still holds a day of notices
HELD_SIZE = 20      # quiet hours keep the newest twenty (a night of errors is one story)
RETRY_DELAYS = (2.0, 10.0)
# Apprise waits up to 4 s to connect and 4 s per read; a slow service plus the
# worker's ~0.5 s start-up still fit well inside this.
ATTEMPT_TIMEOUT = 30.0
RELEASE_EVERY = 60.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class TestResult:
    """One entry's answer to `hearth notify test`."""

    __test__ = False  # not a pytest class, whatever its name says

    name: str
    service: str
    ok: bool
    error: str = ""


@dataclass(slots=True)
class _Target:
    section: NotifySection
    quiet: QuietHours | None
    queue: asyncio.Queue[Notice] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    held: deque[Notice] = field(default_factory=lambda: deque(maxlen=HELD_SIZE))
    delivered: int = 0
    failed: int = 0
    dropped: int = 0
    last_error: str = ""
    last_ok: datetime | None = None
    last_failure: datetime | None = None
    task: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.section.name


class PushService:
    """Delivers notices to the configured `[[notify]]` entries (a `NoticeSink`)."""

    def __init__(self, targets: Sequence[NotifySection], *, zone: ZoneInfo,
                 environ: Mapping[str, str] | None = None,
                 now: Callable[[], datetime] = _utc_now,
                 retry_delays: Sequence[float] = RETRY_DELAYS,
                 attempt_timeout: float = ATTEMPT_TIMEOUT,
                 release_every: float = RELEASE_EVERY) -> None:
        dupes = duplicate_names(list(targets))
        if dupes:
            raise ConfigError(f"notify: the name {dupes[0]!r} is given to more than one entry")
        self._targets = [_Target(t, QuietHours.parse(t.quiet_hours) if t.quiet_hours else None)
                         for t in targets if t.enabled]
        self._zone = zone
        self._environ = environ
        self._now = now
        self._retry_delays = tuple(retry_delays)
        self._attempt_timeout = attempt_timeout
        self._release_every = release_every
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._releaser: asyncio.Task[None] | None = None

    @property
    def names(self) -> list[str]:
        """The enabled entries' names, in config order."""
        return [t.name for t in self._targets]

    # -- NoticeSink ---------------------------------------------------------------------

    def post(self, notice: Notice) -> None:
        """File `notice` with each entry that takes its event; never blocks or raises.

        Safe from any thread: from outside the loop's thread it is handed to the loop.
        """
        try:
            if self._loop is not None and threading.get_ident() != self._thread:
                self._loop.call_soon_threadsafe(self._file, notice)
            else:
                self._file(notice)
        except RuntimeError:  # a closed loop at shutdown: the notice is lost, not the caller
            log.debug("notice %s dropped: the service is stopped", notice.event)

    def _file(self, notice: Notice) -> None:
        now = self._now()
        for target in self._targets:
            if notice.event not in target.section.events:
                continue
            quiet = target.quiet is not None and target.quiet.active(now, self._zone)
            if quiet and notice.event in HELD_EVENTS:
                if len(target.held) == target.held.maxlen:
                    target.dropped += 1  # the deque drops the oldest
                target.held.append(notice)
            else:
                self._enqueue(target, notice)

    def _enqueue(self, target: _Target, notice: Notice) -> None:
        try:
            target.queue.put_nowait(notice)
        except asyncio.QueueFull:
            target.dropped += 1
            if target.dropped == 1 or target.dropped % 100 == 0:
                log.warning("notify %s: queue full (%d waiting), %d notices dropped so far",
                            target.name, QUEUE_SIZE, target.dropped)

    def release_held(self) -> int:
        """Queue the held notices of every entry whose quiet hours are over; how many."""
        now = self._now()
        released = 0
        for target in self._targets:
            if target.held and not (target.quiet and target.quiet.active(now, self._zone)):
                while target.held:
                    self._enqueue(target, target.held.popleft())
                    released += 1
        return released

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start one delivery task per entry and the quiet-hours releaser."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        for target in self._targets:
            if target.task is None:
                target.task = asyncio.create_task(self._run(target), name=f"notify-{target.name}")
        if self._releaser is None and any(t.quiet for t in self._targets):
            self._releaser = asyncio.create_task(self._release_loop(), name="notify-quiet")

    async def stop(self, timeout: float) -> None:
        """Give queued notices up to `timeout` seconds to go out, then cancel the tasks.

        Held (quiet-hours) notices are not sent: they are lost with the process.
        """
        waits = [asyncio.create_task(t.queue.join()) for t in self._targets if t.task]
        if waits:
            _, pending = await asyncio.wait(waits, timeout=timeout)
            for wait in pending:
                wait.cancel()
        tasks = [t.task for t in self._targets if t.task] + (
            [self._releaser] if self._releaser else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for target in self._targets:
            target.task = None
        self._releaser = None
        self._loop = None

    async def _release_loop(self) -> None:
        while True:
            await asyncio.sleep(self._release_every)
            self.release_held()

    async def _run(self, target: _Target) -> None:
        while True:
            notice = await target.queue.get()
            try:
                await self._deliver_retrying(target, notice)
            except Exception:  # a bug here must not end the entry's deliveries
                log.exception("notify %s: delivery task error", target.name)
            finally:
                target.queue.task_done()

    # -- delivery -----------------------------------------------------------------------

    async def _deliver_retrying(self, target: _Target, notice: Notice) -> None:
        error = ""
        for attempt, delay in enumerate((*self._retry_delays, None), start=1):
            try:
                await self._deliver_once(target.section, notice)
            except DeliveryFailed as exc:
                error = str(exc)
                log.debug("notify %s: attempt %d failed: %s", target.name, attempt, error)
                if exc.notifier or delay is None:  # a missing secret does not come back
                    break
                await asyncio.sleep(delay)
                continue
            target.delivered += 1
            target.last_ok = self._now()
            return
        target.failed += 1
        target.last_error = error
        target.last_failure = self._now()
        log.warning("notify %s (%s): %s notice not delivered: %s", target.name,
                    service_of(target.section), notice.event, error)

    async def _deliver_once(self, section: NotifySection, notice: Notice) -> None:
        """One attempt. Raises DeliveryFailed: with `notifier` set when retrying is useless."""
        filled = fill_url(section, self._environ)
        title, body = message_of(notice)
        request = {"op": "notify", "url": filled.url, "title": title, "body": body,
                   "format": "markdown", "secrets": list(filled.secrets)}
        answer = await run_worker(request, timeout=self._attempt_timeout,
                                  secrets=filled.secrets)
        if not answer.get("ok"):
            reason = str(answer.get("error") or answer.get("status") or "failed")
            if answer.get("status") == "INVALID_URL":
                raise DeliveryFailed(reason, notifier=section.name)
            raise DeliveryFailed(scrubbed(reason, filled.secrets))

    async def send_test(self, name: str | None = None) -> list[TestResult]:
        """Send a test message to `name` (or every entry) now, quiet hours or not, once."""
        targets = [t for t in self._targets if name is None or t.name == name]
        if name is not None and not targets:
            known = ", ".join(self.names) or "none"
            raise ConfigError(f"notify: no enabled [[notify]] entry named {name!r} "
                              f"(configured: {known})")
        notice = Notice("briefing", "hearth test",
                        "A test message from **hearth**: this service is set up.")
        return list(await asyncio.gather(*(self._test_one(t, notice) for t in targets)))

    async def _test_one(self, target: _Target, notice: Notice) -> TestResult:
        service = service_of(target.section)
        try:
            await self._deliver_once(target.section, notice)
        except DeliveryFailed as exc:
            return TestResult(target.name, service, False, str(exc))
        return TestResult(target.name, service, True)

    # -- status -------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """One row per entry for `hearth status` (no URL, no secret)."""
        def iso(when: datetime | None) -> str | None:
            return when.isoformat() if when else None

        return [{"name": t.name, "service": service_of(t.section), "delivered": t.delivered,
                 "failed": t.failed, "dropped": t.dropped, "held": len(t.held),
                 "queued": t.queue.qsize(), "last_error": t.last_error or None,
                 "last_ok": iso(t.last_ok), "last_failure": iso(t.last_failure)}
                for t in self._targets]
