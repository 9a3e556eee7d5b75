"""Waiting for timers and announcing them: one sleeping task per running timer.

The database is the truth; tasks are only alarms. A task that wakes claims the timer
(running -> finished, a conditional update only one process can win), announces it on
`<prefix>/timer` and to the notifiers, then records `announced`. Hearth stopping between
the claim and the record makes the next start announce it again: an announcement may
repeat, it is never lost. A process without a broker (a one-shot CLI command) keeps no
alarms and announces nothing: the daemon does that.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.errors import HearthError
from agent.notifiers.types import Briefing, BriefingPart, Notifier
from agent.plugins.services import Clock, TopicPublisher
from skills.timers import speech
from skills.timers.store import RUNNING, TimerRow, TimerStore

# A failed announcement (no broker, no notifier delivered) is tried again this often.
RETRY_S = 60.0
# The built-in notifiers keep the briefing: `mqtt` retained on <prefix>/briefing, `file`
# as briefings/latest.md. A timer there would replace the morning briefing, and
# <prefix>/timer already carries it; push notifiers (entry points) get it.
SKIPPED_NOTIFIERS = frozenset({"mqtt", "file"})


def finished_text(row: TimerRow, late_s: int, zone: ZoneInfo) -> str:
    """What is said when `row` ends (`late_s` > 0: it ended while hearth was off)."""
    what = (f"Reminder: {row.command}." if row.command
            else f"{speech.label(row.name, row.duration_s).capitalize()} is done.")
    if late_s > 0 and row.ends_at is not None:
        return (f"{what} It ended at {speech.clock_time(row.ends_at.astimezone(zone))} "
                "while hearth was off.")
    return what


def event_payload(event: str, row: TimerRow, now: datetime, *, text: str = "",
                  late_s: int = 0) -> dict[str, object]:
    """The JSON published on `<prefix>/timer` for one event of a timer's life."""
    return {
        "event": event, "id": row.id, "name": row.name, "area": row.area,
        "duration_s": row.duration_s, "status": row.status,
        "ends_at": row.ends_at.isoformat() if row.ends_at else None,
        "remaining_s": row.left(now),
        "ended_at": row.ends_at.isoformat() if event == "finished" and row.ends_at else None,
        "late_s": late_s, "command": row.command, "text": text,
    }


class TimerRunner:
    """The alarms of one runtime; `close` (registered with `at_close`) stops them all."""

    def __init__(self, store: TimerStore, *, clock: Clock, zone: ZoneInfo,
                 publisher: TopicPublisher, notifiers: Sequence[Notifier], topic: str,
                 log: logging.Logger) -> None:
        self.store = store
        self.clock = clock
        self.zone = zone
        self.topic = topic
        self._publisher = publisher
        self._notifiers = tuple(n for n in notifiers if n.name not in SKIPPED_NOTIFIERS)
        self._log = log
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    @property
    def live(self) -> bool:
        """Whether this process keeps alarms (it has a broker to announce on)."""
        return self._publisher.has_broker and not self._closed

    async def recover(self) -> int:
        """After a start: alarms for running timers, announcements for those that ended
        while hearth was off. Returns how many timers were picked up."""
        if not self.live:
            return 0
        rows = [r for r in await self.store.active() if r.status == RUNNING]
        late = await self.store.unannounced()
        for row in rows:
            self.arm(row)
        for row in late:
            self._spawn(row.id, self._announce_claimed(row))
        if rows or late:
            self._log.info("timers: %d running, %d to announce after the restart",
                           len(rows), len(late))
        return len(rows) + len(late)

    def arm(self, row: TimerRow) -> None:
        """(Re)start the alarm of a running timer."""
        if not self.live or row.status != RUNNING or row.ends_at is None:
            self.disarm(row.id)
            return
        self._spawn(row.id, self._wait(row))

    def disarm(self, timer_id: str) -> None:
        """Stop the alarm of a timer that was paused, cancelled or changed."""
        task = self._tasks.pop(timer_id, None)
        if task is not None:
            task.cancel()

    def _spawn(self, timer_id: str, work: Coroutine[Any, Any, None]) -> None:
        self.disarm(timer_id)
        task = asyncio.create_task(work, name=f"timer-{timer_id}")
        self._tasks[timer_id] = task
        task.add_done_callback(lambda t: self._forget(timer_id, t))

    def _forget(self, timer_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(timer_id) is task:
            del self._tasks[timer_id]
        if not task.cancelled() and task.exception() is not None:
            self._log.error("timer %s: %s", timer_id, task.exception())

    async def _wait(self, row: TimerRow) -> None:
        assert row.ends_at is not None
        delay = (row.ends_at - self.clock.now()).total_seconds()
        if delay > 0:
            await self.clock.sleep(delay)
        now = self.clock.now()
        claimed = await self.store.claim_finished(row.id, max(now, row.ends_at))
        if claimed is not None:
            await self._announce_claimed(claimed)

    async def _announce_claimed(self, row: TimerRow) -> None:
        """Announce a claimed timer until it went out somewhere, then record it."""
        while True:
            now = self.clock.now()
            late_s = 0
            if row.ends_at is not None:
                late_s = max(0, int((now - row.ends_at).total_seconds()))
                # A wake-up a few seconds late is not "while hearth was off".
                late_s = late_s if late_s > 5 else 0
            text = finished_text(row, late_s, self.zone)
            if await self._deliver(row, now, text, late_s):
                await self.store.mark_announced(row.id)
                return
            self._log.warning("timer %s ended but its announcement went nowhere; trying "
                              "again in %.0f s", row.id, RETRY_S)
            await self.clock.sleep(RETRY_S)

    async def _deliver(self, row: TimerRow, now: datetime, text: str, late_s: int) -> bool:
        delivered = await self.publish("finished", row, now, text=text, late_s=late_s)
        local = now.astimezone(self.zone)
        title = "Timer done" if not row.command else "Reminder"
        briefing = Briefing(
            created_at=now, planned=None, local_date=local.strftime("%Y-%m-%d"),
            local_time=local.strftime("%H:%M"), title=title,
            parts=(BriefingPart(key="timer", title=title, lines=(text,), spoken=text,
                                data={"id": row.id, "name": row.name}),),
            markdown=f"# {title}\n\n{text}\n", spoken=text)
        for notifier in self._notifiers:
            try:
                await notifier.deliver(briefing)
                delivered = True
            except HearthError as exc:
                self._log.warning("timer %s: notifier %s failed: %s", row.id, notifier.name, exc)
        return delivered

    async def publish(self, event: str, row: TimerRow, now: datetime, *, text: str = "",
                      late_s: int = 0) -> bool:
        """Publish one event on `<prefix>/timer`; False (logged) when it could not go out."""
        if not self._publisher.has_broker:
            return False
        payload = json.dumps(event_payload(event, row, now, text=text, late_s=late_s))
        try:
            await self._publisher.publish(self.topic, payload, retain=False)
        except HearthError as exc:
            self._log.warning("timer %s: %s not published on %s: %s", row.id, event,
                              self.topic, exc)
            return False
        return True

    async def close(self) -> None:
        """Stop every alarm (the runtime is closing; the database keeps the timers)."""
        self._closed = True
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
