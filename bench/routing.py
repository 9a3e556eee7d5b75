"""Scoring hearth's own routing in the household month: chosen tier against the label.

The scenario labels each question with the tier a person would have picked; hearth never
sees that label (the question enters as free text, the fake local dispatcher answers with
the scenario's scripted `choice`). Here the label is used only to score: a table of chosen
tier by labelled tier, how many questions ended cheaper than their label (possible quality
loss) or dearer (waste), advisor hand-offs, the cache hit ratio of the assistant and the
advisor, and the cloud calls and request bytes by data scope.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agent.ledger.types import CallView

RANK = {"none": 0, "local": 1, "fast": 2, "deep": 3}


@dataclass(frozen=True)
class Asked:
    """One question's outcome: its label, and what hearth did with it."""

    label: str
    route: str
    skill: str | None
    tier: str | None  # the tier that answered (None: no answer)
    handoff: bool


def routing_table(asked: Iterable[Asked]) -> dict[str, Any]:
    """Chosen x labelled tiers, cheaper/dearer counts, hand-offs, routes by skill."""
    asked = list(asked)
    table: dict[str, Counter[str]] = {}
    for a in asked:
        table.setdefault(a.label, Counter())[a.tier or "failed"] += 1
    scored = [a for a in asked if a.tier in RANK]
    return {
        "table": {label: dict(sorted(row.items())) for label, row in sorted(table.items())},
        "cheaper_than_label": sum(1 for a in scored if RANK[str(a.tier)] < RANK[a.label]),
        "dearer_than_label": sum(1 for a in scored if RANK[str(a.tier)] > RANK[a.label]),
        "as_labelled": sum(1 for a in scored if a.tier == a.label),
        "unanswered": sum(1 for a in asked if a.tier not in RANK),
        "handoffs": sum(1 for a in asked if a.handoff),
        "by_skill": dict(Counter(f"{a.route}:{a.skill}" for a in asked)),
    }


def cache_ratio(rows: Iterable[CallView], skill: str) -> float | None:
    """Claude's cache reads over all prompt tokens of `skill`'s calls (None: no Claude call)."""
    mine = [r for r in rows if r.skill == skill and r.backend == "anthropic"]
    prompt = sum(r.input_tokens + r.cache_read_tokens + r.cache_write_5m_tokens
                 + r.cache_write_1h_tokens for r in mine)
    return round(sum(r.cache_read_tokens for r in mine) / prompt, 4) if prompt else None


def cloud_by_scope(rows: Iterable[CallView]) -> dict[str, dict[str, int]]:
    """Cloud calls and request bytes by the data scopes they carried (issue 20)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        if r.backend != "anthropic":
            continue
        # A ledger without scope columns (before issue 20) reports nothing here.
        for scope in getattr(r, "scopes", ()) or ():
            line = out.setdefault(scope, {"calls": 0, "bytes": 0})
            line["calls"] += 1
            line["bytes"] += int(getattr(r, "request_bytes", 0) or 0)
    return dict(sorted(out.items()))


def learning(fuzzy_routes: dict[str, list[str]]) -> dict[str, Any]:
    """What the month with auto-accept learnt: phrasings on tier 0 by the end, calls saved."""
    learned = sum(routes.count("learned") for routes in fuzzy_routes.values())
    return {
        "fuzzy_requests": sum(len(r) for r in fuzzy_routes.values()),
        "phrasings": len(fuzzy_routes),
        "phrasings_tier0_by_the_end": sum(1 for r in fuzzy_routes.values()
                                          if r and r[-1] == "learned"),
        "requests_on_route_learned": learned,
        "dispatcher_calls_saved": learned,
    }
