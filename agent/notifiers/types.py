"""The briefing as data, and the two plug points around it: parts in, notifiers out.

A `PartProvider` contributes one part (news, yesterday's spend, a third-party skill's
section); a `Notifier` delivers the finished `Briefing` somewhere (MQTT, a file, a phone).
Both are small protocols so that skills and packages can add their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from agent.errors import DeliveryFailed

__all__ = ["Briefing", "BriefingPart", "BriefingRequest", "DeliveryFailed", "Notifier",
           "PartProvider"]

# publish(topic, payload, retain): the MQTT bridge's publish, or a one-shot client's.
Publish = Callable[[str, bytes, bool], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BriefingRequest:
    """What a part provider is told about the briefing being composed."""

    now: datetime                  # UTC
    planned: datetime | None       # the schedule's planned time; None when on demand
    local_date: str                # YYYY-MM-DD in the household's timezone
    trigger: str                   # "schedule", "catch_up", "now"


@dataclass(frozen=True, slots=True)
class BriefingPart:
    """One section of the briefing.

    ``lines`` are Markdown, already escaped by whoever built them from untrusted text;
    ``spoken`` is one or two plain sentences for voice satellites; ``data`` is the
    machine-readable form published with the briefing. ``on_delivered`` runs once the
    briefing reached at least one notifier (the news part marks its items as used).
    """

    key: str
    title: str
    lines: tuple[str, ...]
    spoken: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    on_delivered: Callable[[], Awaitable[None]] | None = None


@dataclass(frozen=True, slots=True)
class Briefing:
    """A composed briefing: Markdown for reading, a short text for speaking."""

    created_at: datetime
    planned: datetime | None
    local_date: str                # YYYY-MM-DD in the household's timezone
    local_time: str                # HH:MM when it was composed, household time
    title: str
    parts: tuple[BriefingPart, ...]
    markdown: str
    spoken: str

    def to_json(self) -> dict[str, Any]:
        """The payload published on MQTT."""
        return {
            "created_at": self.created_at.isoformat(),
            "planned": self.planned.isoformat() if self.planned else None,
            "date": self.local_date,
            "time": self.local_time,
            "title": self.title,
            "spoken": self.spoken,
            "markdown": self.markdown,
            "sections": [{"key": p.key, "title": p.title, "lines": list(p.lines),
                          "data": dict(p.data)} for p in self.parts],
        }


class PartProvider(Protocol):
    """Contributes a part to every briefing (or None to stay out of this one)."""

    name: str

    async def contribute(self, request: BriefingRequest) -> BriefingPart | None:
        """The part for this briefing. Errors are logged by the composer and the part skipped."""
        ...


class Notifier(Protocol):
    """Delivers finished briefings somewhere."""

    name: str

    async def deliver(self, briefing: Briefing) -> None:
        """Deliver `briefing`; raise a HearthError when it could not be delivered."""
        ...


