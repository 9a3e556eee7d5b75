"""The approval history: every request, approval, refusal and expiry of a sensitive action.

Kept in the database (table ``approval_event``) so it survives restarts; `hearth pending
--history` shows it. Events come from the pending room synchronously; each is written by a
tracked task so the event loop never waits on the disk, and `flush` lets a reader see them.
Rows older than the newest ``keep`` (default KEEP) are pruned: a flood of refused attempts cannot grow the
database without end.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agent.db import Database
from agent.db.models import ApprovalEvent
from agent.devices.pending import PendingEvent
from agent.errors import HearthError

log = logging.getLogger(__name__)

KEEP = 5000


class ApprovalHistory:
    """Writes `PendingEvent`s to the database and reads them back, newest last."""

    def __init__(self, db: Database, *, keep: int = KEEP) -> None:
        self.db = db
        self.keep = keep
        self._tasks: set[asyncio.Task[None]] = set()

    def record(self, event: PendingEvent) -> None:
        """Queue one event for writing (called from the pending room, inside the loop)."""
        at = datetime.now(UTC)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._write(event, at)  # no loop (a synchronous caller): write inline
            return
        task = loop.create_task(self._write_async(event, at), name="approval-history")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Wait until every queued event is written."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest `limit` events, oldest first, as JSON-ready dicts."""
        await self.flush()
        return await self.db.read(partial(_recent, limit=limit))

    async def _write_async(self, event: PendingEvent, at: datetime) -> None:
        try:
            await self.db.write(partial(_insert, event=event, at=at, keep=self.keep))
        except HearthError as exc:
            # The action itself already happened (or did not); losing its record must not
            # take the caller down, but it must be visible.
            log.error("approval history not written (%s %s): %s", event.kind, event.code,
                      type(exc).__name__)

    def _write(self, event: PendingEvent, at: datetime) -> None:
        try:
            self.db.write_sync(partial(_insert, event=event, at=at, keep=self.keep))
        except HearthError as exc:
            log.error("approval history not written (%s %s): %s", event.kind, event.code,
                      type(exc).__name__)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _insert(session: Session, *, event: PendingEvent, at: datetime, keep: int) -> None:
    session.add(ApprovalEvent(
        at=at, kind=event.kind, code=_clip(event.code, 16), path=_clip(event.path, 16),
        device=_clip(event.device, 255), topic=_clip(event.topic, 1024),
        payload=_clip(event.payload, 2000), detail=_clip(event.detail, 2000),
        requested_by=_clip(event.requested_by, 255)))
    session.flush()
    # Ids only grow, so keeping the newest `keep` rows is one range delete below a cut-off.
    cutoff = session.execute(select(ApprovalEvent.id).order_by(ApprovalEvent.id.desc())
                             .offset(keep).limit(1)).scalar()
    if cutoff is not None:
        session.execute(delete(ApprovalEvent).where(ApprovalEvent.id <= cutoff))


def _recent(session: Session, *, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(select(ApprovalEvent).order_by(ApprovalEvent.id.desc())
                           .limit(limit)).scalars().all()
    return [{"at": r.at.isoformat(timespec="seconds"), "kind": r.kind, "code": r.code,
             "path": r.path, "device": r.device, "topic": r.topic, "payload": r.payload,
             "detail": r.detail, "requested_by": r.requested_by} for r in reversed(rows)]
