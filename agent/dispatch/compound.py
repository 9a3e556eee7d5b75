"""Several commands in one sentence: "turn off the hall light and the fan, then lock up".

The whole text is always matched first (a device called "salt and pepper lamp" stays one
device). Only when that fails, or only a catch-all (``HearthUnknown*``) intent matched, is
the text cut into pieces at "and", "then", "and then", ", then", "," and ";", and runs of
pieces form the parts (the longest run that matches first: "turn off the salt and pepper
lamp and the hall light" is two parts). Every part must match a real intent on its own,
else nothing is split and the whole text goes on as one request: a half-understood
sentence is never half carried out. A part with no verb borrows the shortest start of the
previous part that makes it match ("turn off the kitchen light and the hall light" ->
"turn off" + "the hall light"); that reading is tried first, as a bare name on its own
means "turn it on".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from agent.dispatch.result import DispatchResult
from agent.intents import CATCH_ALLS, IntentMatch
from agent.plugins.contract import Reply

# More parts than this is not a spoken request; more pieces than this is not worth trying.
MAX_PARTS = 4
MAX_PIECES = 8
MAX_VERB_WORDS = 5
_JOINERS = re.compile(r"(\s*(?:;|,\s*and then\b|,\s*then\b|\band then\b|\bthen\b|"
                      r",?\s*\band\b|,)\s*)", re.IGNORECASE)

Matcher = Callable[[str], IntentMatch | None]


def is_wildcard(match: IntentMatch | None) -> bool:
    """True for no match or a catch-all one: splitting may find something better."""
    return match is None or match.intent in CATCH_ALLS


def _pieces(text: str) -> list[tuple[str, str]]:
    """(piece, joiner after it) in order; empty pieces ("and and") are dropped."""
    items = _JOINERS.split(text)
    out: list[tuple[str, str]] = []
    for i in range(0, len(items), 2):
        piece = items[i].strip(" ,")
        joiner = items[i + 1] if i + 1 < len(items) else ""
        if piece:
            out.append((piece, joiner))
    return out


def split(text: str) -> list[str]:
    """The pieces of `text` between joiners; fewer than two means it is one request."""
    pieces = [p for p, _ in _pieces(text)]
    return pieces if 2 <= len(pieces) <= MAX_PIECES else []


def match_parts(text: str, match: Matcher) -> list[IntentMatch] | None:
    """One real match per part of `text`, in order; None when there is no such reading.

    Parts are runs of pieces: from the left, the longest run that matches (so "the salt and
    pepper lamp" stays one part while "the kitchen light and the hall light" are two).
    """
    pieces = _pieces(text)
    if not 2 <= len(pieces) <= MAX_PIECES:
        return None
    found: list[IntentMatch] = []
    previous: str | None = None
    start = 0
    while start < len(pieces):
        hit, start = _longest(pieces, start, previous, match)
        if hit is None or len(found) == MAX_PARTS:
            return None
        found.append(hit)
        previous = hit.text
    return found if len(found) >= 2 else None


def _longest(pieces: Sequence[tuple[str, str]], start: int, previous: str | None,
             match: Matcher) -> tuple[IntentMatch | None, int]:
    # The whole remainder is not tried from the first piece: that is the whole text.
    last = len(pieces) - 1 if start == 0 else len(pieces)
    for end in range(last, start, -1):
        run = "".join(p + (j if k < end - 1 else "")
                      for k, (p, j) in enumerate(pieces[start:end], start=start))
        # Borrowing is tried first: "the hall light" alone reads as "turn on the hall
        # light" (a bare name is an on command), which after "turn off the kitchen light
        # and" is the opposite of what was said. A part with its own verb rarely parses
        # with a second verb in front, so it falls through to its own reading.
        hit = _borrowed(previous, run, match) if previous is not None else None
        if hit is None:
            hit = _real(match(run))
        if hit is not None:
            return hit, end
    return None, start


def _real(found: IntentMatch | None) -> IntentMatch | None:
    return None if is_wildcard(found) else found


def _borrowed(previous: str, part: str, match: Matcher) -> IntentMatch | None:
    words: Sequence[str] = previous.split()
    # Shortest start first: the verb, not the previous device's name, is what is missing;
    # a verb is a few words ("turn off", "set the brightness of"), which bounds the tries.
    for end in range(1, min(len(words), MAX_VERB_WORDS + 1)):
        hit = _real(match(" ".join([*words[:end], part])))
        if hit is not None:
            return hit
    return None


def joined(results: Sequence[DispatchResult], *, latency_ms: int) -> DispatchResult:
    """One result for the parts: replies joined with "; ", every part's data and actions."""
    first = results[0]
    datas = [dict(r.reply.data) if r.reply is not None else {} for r in results]
    data: dict[str, Any] = {
        "ok": all(r.ok and d.get("ok", True) for r, d in zip(results, datas, strict=True)),
        "actions": [a for d in datas for a in d.get("actions") or []],
        # Only the top-level text and actions: the shared reply topic strips action ids there.
        "parts": [{"intent": r.intent, "skill": r.skill, "status": r.status} for r in results],
    }
    worst = next((r.status for r in results if not r.ok), first.status)
    return replace(first, status=worst, reply=Reply("; ".join(r.text for r in results), data),
                   intent=" + ".join(str(r.intent) for r in results), slots={},
                   error=next((r.error for r in results if r.error is not None), None),
                   ledger_ids=tuple(i for r in results for i in r.ledger_ids),
                   latency_ms=latency_ms)
