"""Phrasings the local model resolved to a device command, and the accepted ones it skips for.

The dispatcher `observe`s a request the model had to resolve (route dispatcher, a tier-`none`
skill, every action sent, no earlier turns, not a dry run). Once a person accepts the
phrasing (`hearth learn accept ID`), or `[learn] auto_accept_after` sightings of the same
resolution accept it, `recall` finds it and the request runs with no model call. A
sensitive action is never accepted automatically. `recall` reads the database every time:
an accept made by another process counts at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from agent.db import Database
from agent.db.models import LearnedCommand
from agent.db.upsert import insert_ignoring
from agent.dispatch.seams import Recalled
from agent.learn.phrases import MAX_PHRASE_CHARS, normalise

log = logging.getLogger(__name__)

MAX_ARGUMENTS_CHARS = 2000
Status = Literal["candidate", "accepted", "rejected"]


@dataclass(frozen=True, slots=True)
class Learned:
    """One learnt phrasing, detached from the session."""

    id: int
    phrase: str
    skill: str
    arguments: Mapping[str, Any]
    count: int
    sensitive: bool
    status: str
    first_seen_at: datetime
    last_seen_at: datetime
    accepted_at: datetime | None
    accepted_by: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form `hearth learn list --json` prints."""
        return {"id": self.id, "phrase": self.phrase, "skill": self.skill,
                "arguments": dict(self.arguments), "count": self.count,
                "sensitive": self.sensitive, "status": self.status,
                "first_seen_at": self.first_seen_at.isoformat(),
                "last_seen_at": self.last_seen_at.isoformat(),
                "accepted_at": self.accepted_at.isoformat() if self.accepted_at else None,
                "accepted_by": self.accepted_by}


class UnknownLearned(LookupError):
    """No learnt phrasing has this id."""


def _arguments_json(arguments: Mapping[str, Any]) -> str:
    return json.dumps(dict(arguments), sort_keys=True, separators=(",", ":"), default=str)


def _learned(row: LearnedCommand) -> Learned:
    return Learned(id=row.id, phrase=row.phrase, skill=row.skill,
                   arguments=json.loads(row.arguments_json), count=row.count,
                   sensitive=row.sensitive, status=row.status,
                   first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
                   accepted_at=row.accepted_at, accepted_by=row.accepted_by)


class LearnStore:
    """The `CommandMemory` the dispatcher uses, and what `hearth learn` reads and changes."""

    def __init__(self, db: Database, *, auto_accept_after: int | None = None,
                 record: bool = True, now: Callable[[], datetime] | None = None) -> None:
        self._db = db
        self._auto = auto_accept_after
        self._record = record
        self._now = now or (lambda: datetime.now(UTC))

    async def recall(self, text: str) -> Recalled | None:
        """The accepted resolution of `text`'s phrasing, None when there is none."""
        phrase = normalise(text)
        if not phrase or len(phrase) > MAX_PHRASE_CHARS:
            return None

        def find(s: Session) -> Recalled | None:
            row = s.scalars(select(LearnedCommand)
                            .where(LearnedCommand.phrase == phrase,
                                   LearnedCommand.status == "accepted")
                            .order_by(LearnedCommand.accepted_at.desc(),
                                      LearnedCommand.id.desc())
                            .limit(1)).first()
            if row is None:
                return None
            return Recalled(id=row.id, skill=row.skill, arguments=json.loads(row.arguments_json))

        return await self._db.read(find)

    async def observe(self, text: str, skill: str, arguments: Mapping[str, Any], *,
                      sensitive: bool) -> None:
        """Count one model resolution of `text`; accept it when auto-accept says so."""
        if not self._record:
            return
        phrase = normalise(text)
        args = _arguments_json(arguments)
        if not phrase or len(phrase) > MAX_PHRASE_CHARS or len(args) > MAX_ARGUMENTS_CHARS:
            log.debug("phrasing not recorded: empty or too long")
            return
        now = self._now()

        def count(s: Session) -> None:
            s.execute(insert_ignoring(s, LearnedCommand, ["phrase", "arguments_json"]).values(
                phrase=phrase, skill=skill, arguments_json=args, count=0, sensitive=False,
                status="candidate", first_seen_at=now, last_seen_at=now))
            row = s.scalars(select(LearnedCommand).where(
                LearnedCommand.phrase == phrase, LearnedCommand.arguments_json == args)).one()
            row.count += 1
            row.last_seen_at = now
            row.sensitive = row.sensitive or sensitive
            if self._should_auto_accept(s, row):
                row.status, row.accepted_at, row.accepted_by = "accepted", now, "auto"
                log.info("learnt %r -> %s %s (seen %d times)", phrase, skill, args, row.count)

        await self._db.write(count)

    def _should_auto_accept(self, s: Session, row: LearnedCommand) -> bool:
        if self._auto is None or row.status != "candidate" or row.sensitive:
            return False
        if row.count < self._auto:
            return False
        # The same words resolved another way too: ambiguous, so a person decides.
        others = s.scalar(select(func.count()).select_from(LearnedCommand).where(
            LearnedCommand.phrase == row.phrase, LearnedCommand.id != row.id))
        return not others

    def list_sync(self, *, include_all: bool = False) -> list[Learned]:
        """Candidates (all rows with `include_all`), most often seen first."""
        def rows(s: Session) -> list[Learned]:
            q = select(LearnedCommand)
            if not include_all:
                q = q.where(LearnedCommand.status == "candidate")
            q = q.order_by(LearnedCommand.count.desc(), LearnedCommand.id)
            return [_learned(r) for r in s.scalars(q)]

        return self._db.read_sync(rows)

    def set_status_sync(self, learned_id: int, status: Status, *, by: str) -> Learned:
        """Accept or reject one phrasing (UnknownLearned when no row has `learned_id`).

        Accepting one resolution of a phrase returns the phrase's other accepted ones to
        candidates, so `recall` has exactly one answer.
        """
        now = self._now()

        def change(s: Session) -> Learned:
            row = s.get(LearnedCommand, learned_id)
            if row is None:
                raise UnknownLearned(learned_id)
            if status == "accepted":
                s.execute(update(LearnedCommand).where(
                    LearnedCommand.phrase == row.phrase, LearnedCommand.id != row.id,
                    LearnedCommand.status == "accepted").values(
                        status="candidate", accepted_at=None, accepted_by=None))
                row.accepted_at, row.accepted_by = now, by
            else:
                row.accepted_at, row.accepted_by = None, None
            row.status = status
            s.flush()
            return _learned(row)

        return self._db.write_sync(change)
