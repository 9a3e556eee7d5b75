"""Notices: the short messages hearth pushes to the household's phones.

A `Notice` is one event (a briefing, a pending confirmation, a budget warning, an ended
timer, an error) as text. A `NoticeSink` takes it without waiting: delivery, retries and
quiet hours are the sink's business, so whoever posts (a skill, the pending room, the
ledger's budget check) is never slowed down by a slow or dead notification service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from agent.config.notify import EVENT_NAMES, EventName

__all__ = ["EVENT_NAMES", "EventName", "Notice", "NoticeSink"]


@dataclass(frozen=True, slots=True)
class Notice:
    """One message for the household.

    ``body`` is Markdown (already escaped by whoever built it from untrusted text);
    ``links`` are (title, url) pairs the sink may render as a list or drop when a service
    cannot show them.
    """

    event: EventName
    title: str
    body: str
    links: tuple[tuple[str, str], ...] = ()


class NoticeSink(Protocol):
    """Takes notices for delivery."""

    def post(self, notice: Notice) -> None:
        """Queue `notice`; never blocks and never raises."""
        ...
