"""The lines the news part adds when it cannot simply list summaries: why there is no news,
which feeds could not be read, and that the model's summaries are missing and why.

They go into the briefing itself, not only the log: a person reading the briefing is the
one who needs to know the news is incomplete. Error text may come from a feed server or a
model backend, so it is escaped and cut before it reaches Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from skills.news.markdown import md_escape

if TYPE_CHECKING:
    from agent.feeds import FetchReport
    from skills.news.prompt import Summary

# Failed feeds listed one by one; beyond this they are counted (a briefing is not a log).
MAX_FAILED_LISTED = 5
_REASON_CHARS = 200


def nothing_new(report: FetchReport, last_briefed: datetime | None, zone: tzinfo) -> str:
    """The sentence of a news part without items: since when, or why there never was news."""
    total = len(report.feeds)
    if total == 0:
        return "No news: no feeds are configured ([feeds] feeds is empty)."
    failed = len(report.failed)
    if last_briefed is not None:
        when = last_briefed.astimezone(zone)
        note = f"No new items since the last briefing with news ({when:%Y-%m-%d %H:%M})."
    elif failed == total:
        note = ("No news yet: the feed could not be read." if total == 1
                else f"No news yet: none of the {total} feeds could be read.")
    else:
        note = "No news yet: the feeds have published no items so far."
    return note


def spoken_nothing_new(report: FetchReport) -> str:
    """The spoken variant of `nothing_new`."""
    if report.feeds and len(report.failed) == len(report.feeds):
        return "The news feeds could not be read."
    return "No new headlines."


def failed_feeds(report: FetchReport, sources: Mapping[str, str]) -> list[str]:
    """One Markdown line per feed that could not be read, with the reason."""
    lines = []
    for outcome in report.failed[:MAX_FAILED_LISTED]:
        name = outcome.name or sources.get(outcome.url) or outcome.url
        reason = " ".join((outcome.error or "no reason given").split())[:_REASON_CHARS]
        lines.append(f"- Feed **{md_escape(name)}** could not be read: {md_escape(reason)}")
    more = len(report.failed) - MAX_FAILED_LISTED
    if more > 0:
        lines.append(f"- {more} more feed{'s' if more != 1 else ''} could not be read.")
    return lines


def summaries_unavailable(summaries: Sequence[Summary],
                          escape: Callable[[str], str] = str) -> str | None:
    """One sentence when some items carry their feed's title instead of a summary; the
    reason (a model backend's words) passes through `escape` (md_escape for Markdown)."""
    missing = [s for s in summaries if not s.by_model]
    if not missing:
        return None
    reasons = list(dict.fromkeys(" ".join(s.why_not.split()) for s in missing if s.why_not))
    why = "; ".join(reasons)[:_REASON_CHARS * 2] or "no reason recorded"
    total = len(summaries)
    if len(missing) == total:
        scope = f"all {total} items" if total != 1 else "the item"
    else:
        scope = f"{len(missing)} of {total} items"
    return f"Summaries unavailable for {scope} ({escape(why)}); showing the feeds' own titles."
