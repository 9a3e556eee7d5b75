"""Household lists in the database (the `list_item` table).

An item is known by its key: lower case, no punctuation, no leading article, the last
word made singular. "Eggs", "the egg" and "eggs." are one item, so adding it twice keeps
one open entry and "check off the eggs" finds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.db import Database
from agent.db.models import ListItem

SHOPPING = "shopping list"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ARTICLES = ("the", "a", "an", "some", "my", "our")


def singular(word: str) -> str:
    """A plain English singular, good enough for matching list items (not for speech)."""
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith(("oes", "ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def item_key(item: str) -> str:
    """The normalised form two mentions of one item share."""
    words = _WORD.findall(item.lower())
    while len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


def list_name(spoken: str | None) -> str:
    """The canonical list name: "my Shopping" and "the shopping list" are "shopping list"."""
    words = _WORD.findall((spoken or "").lower())
    while words and words[0] in _ARTICLES:
        words = words[1:]
    if words and words[-1] == "list":
        words = words[:-1]
    return f"{' '.join(words)} list" if words else SHOPPING


@dataclass(frozen=True, slots=True)
class Entry:
    """One list item, detached from the database."""

    id: int
    list_name: str
    item: str
    done: bool
    added_at: datetime
    done_at: datetime | None

    def to_json(self) -> dict[str, object]:
        """The form `hearth list show --json` prints."""
        return {"id": self.id, "list": self.list_name, "item": self.item, "done": self.done,
                "added_at": self.added_at.isoformat(),
                "done_at": self.done_at.isoformat() if self.done_at else None}


def _entry(row: ListItem) -> Entry:
    return Entry(row.id, row.list_name, row.item, row.done, row.added_at, row.done_at)


class ListStore:
    """Reads and writes list items; each method is one transaction."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, name: str, item: str, now: datetime) -> tuple[Entry, bool]:
        """Add `item` to list `name` unless an open entry has its key: (entry, added)."""
        key = item_key(item)

        def fn(s: Session) -> tuple[Entry, bool]:
            found = s.scalars(select(ListItem).where(
                ListItem.list_name == name, ListItem.item_key == key,
                ListItem.done.is_(False)).limit(1)).first()
            if found is not None:
                return _entry(found), False
            row = ListItem(list_name=name, item=item, item_key=key, done=False, added_at=now,
                           done_at=None)
            s.add(row)
            s.flush()
            return _entry(row), True
        return await self._db.write(fn)

    async def complete(self, name: str, item: str, now: datetime) -> list[Entry]:
        """Tick off every open entry of `item` on list `name`; those ticked off."""
        key = item_key(item)

        def fn(s: Session) -> list[Entry]:
            rows = list(s.scalars(select(ListItem).where(
                ListItem.list_name == name, ListItem.item_key == key,
                ListItem.done.is_(False))))
            for row in rows:
                row.done = True
                row.done_at = now
            s.flush()
            return [_entry(r) for r in rows]
        return await self._db.write(fn)

    async def items(self, name: str | None = None, *, done: bool = False) -> list[Entry]:
        """Open entries (and ticked-off ones with `done`), by list then age."""
        def fn(s: Session) -> list[Entry]:
            query = select(ListItem).order_by(ListItem.list_name, ListItem.added_at,
                                              ListItem.id)
            if name is not None:
                query = query.where(ListItem.list_name == name)
            if not done:
                query = query.where(ListItem.done.is_(False))
            return [_entry(r) for r in s.scalars(query)]
        return await self._db.read(fn)
