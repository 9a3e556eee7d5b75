"""The briefing, digest and timer notifier that hands their text to the push service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agent.config.notify import EventName
from agent.notifiers.events import Notice, NoticeSink
from agent.notifiers.types import Briefing

# Links beyond these are left to the Markdown (a phone is not a reading list).
MAX_LINKS = 10


def _links(data: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    # The news part lists {"headline", "link"} items; other parts may follow the same shape.
    items = data.get("items")
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, Mapping):
            link, title = item.get("link"), item.get("headline") or item.get("title")
            if isinstance(link, str) and link.startswith(("https://", "http://")):
                yield (str(title) if title else link, link)


def briefing_notice(briefing: Briefing) -> Notice:
    """The notice for a briefing, a weekly digest or an ended timer (by its first part)."""
    first = briefing.parts[0].key if briefing.parts else ""
    event: EventName = "timer" if first == "timer" else "digest" if first == "digest" \
        else "briefing"
    links = tuple(dict.fromkeys(link for part in briefing.parts for link in _links(part.data)))
    return Notice(event, briefing.title, briefing.markdown, links[:MAX_LINKS])


class PushNotifier:
    """A `Notifier` named "push": queues the briefing with the push service and returns.

    A later delivery failure is the service's to retry, log and show in `hearth status`;
    `deliver` itself never raises for it.
    """

    name = "push"

    def __init__(self, sink: NoticeSink) -> None:
        self._sink = sink

    async def deliver(self, briefing: Briefing) -> None:
        """Queue `briefing` for every `[[notify]]` entry that takes its event."""
        self._sink.post(briefing_notice(briefing))
