"""The last few turns of each requester's conversation, for follow-ups ("and in the bedroom?").

A conversation is live while its last turn is younger than `[ask] follow_up_minutes`; then
all its rows are deleted. Every `add` and `recent` deletes the expired rows of its key, a
timer deletes them when the window closes with no new turn, and `purge_expired` (at open)
catches what a stopped daemon left. So with `store_prompts = false` no request text outlives
its conversation. `recent` gives at most `follow_up_turns` turns, trimmed from the oldest
until their text fits `follow_up_chars`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from agent.db import Database
from agent.db.models import ConversationTurn
from agent.dispatch.seams import Turn
from agent.errors import HearthError

log = logging.getLogger(__name__)

MAX_KEY_CHARS = 200


class ConversationStore:
    """`Conversations` on hearth's database (the dispatcher's follow-up memory)."""

    def __init__(self, db: Database, *, minutes: float = 5, turns: int = 6,
                 chars: int = 6000, now: Callable[[], datetime] | None = None) -> None:
        self._db = db
        self.window = timedelta(minutes=minutes)
        self.turns = turns
        self.chars = chars
        self._now = now or (lambda: datetime.now(UTC))
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def recent(self, key: str) -> tuple[Turn, ...]:
        """The live turns of `key`, oldest first, within the turn and size bounds."""
        cutoff = self._now() - self.window

        def read(s: Session) -> tuple[Turn, ...]:
            _expire_key(s, key, cutoff)
            rows = s.scalars(select(ConversationTurn).where(ConversationTurn.key == key)
                             .order_by(ConversationTurn.at.desc(), ConversationTurn.id.desc())
                             .limit(self.turns)).all()
            kept: list[Turn] = []
            size = 0
            for row in rows:  # newest first: the oldest go when the text is too long
                size += len(row.text)
                if size > self.chars:
                    break
                kept.append(Turn(role="assistant" if row.role == "assistant" else "user",
                                 text=row.text, untrusted=row.untrusted))
            return tuple(reversed(kept))

        return await self._db.write(read)

    async def add(self, key: str, text: str, reply: str, *, skill: str | None,
                  untrusted: bool) -> None:
        """Keep one exchange: the request and hearth's reply (an empty reply is not kept)."""
        now = self._now()
        cutoff = now - self.window

        def write(s: Session) -> None:
            _expire_key(s, key, cutoff)
            s.add(ConversationTurn(key=key[:MAX_KEY_CHARS], at=now, role="user",
                                   text=text[:self.chars], skill=skill, untrusted=False))
            if reply:
                # Same instant, later id: order by (at, id) keeps the pair in order.
                s.add(ConversationTurn(key=key[:MAX_KEY_CHARS], at=now, role="assistant",
                                       text=reply[:self.chars], skill=skill,
                                       untrusted=untrusted))
            s.flush()
            _keep_newest(s, key, self.turns)

        await self._db.write(write)
        self._expire_later(key)

    async def forget(self, key: str) -> None:
        """Start `key` afresh (`hearth ask` without --continue): its turns are deleted."""
        await self._db.write(lambda s: s.execute(
            delete(ConversationTurn).where(ConversationTurn.key == key)))

    async def purge_expired(self) -> int:
        """Delete every conversation whose last turn is older than the window; how many rows."""
        cutoff = self._now() - self.window

        def purge(s: Session) -> int:
            stale = (select(ConversationTurn.key).group_by(ConversationTurn.key)
                     .having(func.max(ConversationTurn.at) < cutoff))
            result = s.execute(delete(ConversationTurn).where(ConversationTurn.key.in_(stale)))
            return int(getattr(result, "rowcount", 0) or 0)

        removed = await self._db.write(purge)
        if removed:
            log.debug("deleted %d expired conversation turn(s)", removed)
        return removed

    def _expire_later(self, key: str) -> None:
        """Delete `key`'s turns when its window closes, even if nobody asks again."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        # A little after the window, so the last turn is strictly older than the cutoff.
        delay = self.window.total_seconds() + 0.5
        self._timers[key] = loop.call_later(delay, self._spawn_purge, key)

    def _spawn_purge(self, key: str) -> None:
        self._timers.pop(key, None)
        task = asyncio.get_running_loop().create_task(self._purge_key(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _purge_key(self, key: str) -> None:
        cutoff = self._now() - self.window
        try:
            await self._db.write(lambda s: _expire_key(s, key, cutoff))
        except (HearthError, SQLAlchemyError) as exc:  # the next add/recent/open will
            log.warning("expired conversation not deleted yet: %s", type(exc).__name__)

    async def aclose(self) -> None:
        """Cancel the timers; the turns they would delete go at the next open."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _expire_key(s: Session, key: str, cutoff: datetime) -> None:
    last = s.scalar(select(func.max(ConversationTurn.at)).where(ConversationTurn.key == key))
    if last is not None and last < cutoff:
        s.execute(delete(ConversationTurn).where(ConversationTurn.key == key))


def _keep_newest(s: Session, key: str, turns: int) -> None:
    keep = (select(ConversationTurn.id).where(ConversationTurn.key == key)
            .order_by(ConversationTurn.at.desc(), ConversationTurn.id.desc()).limit(turns))
    s.execute(delete(ConversationTurn).where(ConversationTurn.key == key,
                                             ConversationTurn.id.not_in(keep.scalar_subquery())))
