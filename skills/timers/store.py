"""The timers as stored in the database (the `timer` table): the truth across restarts.

Every write goes through `Database.write` with a plain function, so no session is held
across an `await`; rows come back as frozen `TimerRow` copies.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent.db import Database
from agent.db.models import Timer

RUNNING = "running"
PAUSED = "paused"
FINISHED = "finished"
CANCELLED = "cancelled"
ACTIVE = (RUNNING, PAUSED)


@dataclass(frozen=True, slots=True)
class TimerRow:
    """One timer, detached from the database."""

    id: str
    name: str | None
    area: str | None
    command: str | None
    duration_s: int
    started_at: datetime
    ends_at: datetime | None
    remaining_s: int | None
    status: str
    finished_at: datetime | None
    announced: bool
    requested_by: str

    def left(self, now: datetime) -> int:
        """Whole seconds left (0 once due); a paused timer's frozen remainder."""
        if self.ends_at is None:
            return max(0, self.remaining_s or 0)
        return max(0, round((self.ends_at - now).total_seconds()))


def new_id() -> str:
    """A fresh timer id (32 hex characters)."""
    return uuid.uuid4().hex


def _row(timer: Timer) -> TimerRow:
    return TimerRow(**{f.name: getattr(timer, f.name) for f in dataclasses.fields(TimerRow)})


class TimerStore:
    """Reads and writes timers; each method is one transaction."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, row: TimerRow) -> None:
        """Store a new timer."""
        values = dataclasses.asdict(row)
        await self._db.write(lambda s: s.add(Timer(**values)))

    async def active(self) -> list[TimerRow]:
        """Running and paused timers, oldest first."""
        return await self._db.read(lambda s: [_row(t) for t in s.scalars(
            select(Timer).where(Timer.status.in_(ACTIVE)).order_by(Timer.started_at))])

    async def unannounced(self) -> list[TimerRow]:
        """Finished timers whose announcement never went out (hearth stopped in between)."""
        return await self._db.read(lambda s: [_row(t) for t in s.scalars(
            select(Timer).where(Timer.status == FINISHED, Timer.announced.is_(False))
            .order_by(Timer.finished_at))])

    async def get(self, timer_id: str) -> TimerRow | None:
        """One timer by id."""
        def fn(s: Session) -> TimerRow | None:
            found = s.get(Timer, timer_id)
            return _row(found) if found is not None else None
        return await self._db.read(fn)

    async def change(self, timer_id: str, *, when: tuple[str, ...] = ACTIVE,
                     **values: Any) -> TimerRow | None:
        """Set `values` on the timer if its status is one of `when`; the new row, or None
        when it was not in such a state (another request or process got there first)."""
        return await self._db.write(self._change(timer_id, when, values))

    @staticmethod
    def _change(timer_id: str, when: tuple[str, ...],
                values: dict[str, Any]) -> Callable[[Session], TimerRow | None]:
        def fn(s: Session) -> TimerRow | None:
            done = s.execute(update(Timer).where(Timer.id == timer_id, Timer.status.in_(when))
                             .values(**values).execution_options(synchronize_session=False))
            if getattr(done, "rowcount", 0) != 1:
                return None
            found = s.get(Timer, timer_id, populate_existing=True)
            return _row(found) if found is not None else None
        return fn

    async def claim_finished(self, timer_id: str, now: datetime) -> TimerRow | None:
        """Mark a due running timer finished (not yet announced); None if it is not due or
        someone else claimed it. The one caller that gets the row announces it."""
        def fn(s: Session) -> TimerRow | None:
            done = s.execute(update(Timer).where(
                Timer.id == timer_id, Timer.status == RUNNING, Timer.ends_at <= now)
                .values(status=FINISHED, finished_at=now)
                .execution_options(synchronize_session=False))
            if getattr(done, "rowcount", 0) != 1:
                return None
            found = s.get(Timer, timer_id, populate_existing=True)
            return _row(found) if found is not None else None
        return await self._db.write(fn)

    async def mark_announced(self, timer_id: str) -> None:
        """Record that the finished timer's announcement went out."""
        await self._db.write(lambda s: s.execute(
            update(Timer).where(Timer.id == timer_id).values(announced=True)))
