"""What the news part says when it cannot simply list summaries."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from agent.feeds import FetchReport
from agent.feeds.service import FeedOutcome
from skills.news.markdown import md_escape
from skills.news.notes import (
    failed_feeds,
    nothing_new,
    spoken_nothing_new,
    summaries_unavailable,
)
from skills.news.prompt import Summary

BERLIN = ZoneInfo("Europe/Berlin")


def ok(n: int) -> FeedOutcome:
    return FeedOutcome(f"https://ok{n}.example/feed", f"OK {n}", "ok")


def bad(n: int, error: str = "HTTP 500") -> FeedOutcome:
    return FeedOutcome(f"https://bad{n}.example/feed", None, "error", error=error)


def test_nothing_new_says_since_when_or_why_there_never_was_news() -> None:
    last = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert nothing_new(FetchReport((ok(1),)), last, BERLIN) == (
        "No new items since the last briefing with news (2026-11-24 07:00).")
    assert nothing_new(FetchReport((bad(1),)), None, BERLIN) == (
        "No news yet: the feed could not be read.")
    assert nothing_new(FetchReport((bad(1), bad(2))), None, BERLIN) == (
        "No news yet: none of the 2 feeds could be read.")
    assert "no items so far" in nothing_new(FetchReport((ok(1), bad(2))), None, BERLIN)
    assert "no feeds are configured" in nothing_new(FetchReport(()), None, BERLIN)
    assert spoken_nothing_new(FetchReport((bad(1),))) == "The news feeds could not be read."
    assert spoken_nothing_new(FetchReport((ok(1), bad(2)))) == "No new headlines."


def test_failed_feeds_are_named_escaped_and_capped() -> None:
    report = FetchReport((ok(0), bad(1, "HTTP 500 [click](https://evil.example)"),
                          *(bad(n) for n in range(2, 9))))
    lines = failed_feeds(report, {"https://bad1.example/feed": "Gazette"})
    assert lines[0].startswith("- Feed **Gazette** could not be read: HTTP 500")
    assert lines[1].startswith("- Feed **https://bad2\\.example/feed**")  # no name: the URL
    assert "](" not in lines[0]  # a server's error text cannot make a link
    assert len(lines) == 6 and lines[-1] == "- 3 more feeds could not be read."


def summary(i: int, *, by_model: bool, why: str = "") -> Summary:
    return Summary(i, f"Title {i}", "", "other", by_model=by_model, why_not=why)


def test_summaries_unavailable_counts_and_gives_each_reason_once() -> None:
    assert summaries_unavailable([summary(1, by_model=True)]) is None
    every = [summary(i, by_model=False, why="Ollama timed out") for i in range(3)]
    assert summaries_unavailable(every) == (
        "Summaries unavailable for all 3 items (Ollama timed out); "
        "showing the feeds' own titles.")
    some = [summary(1, by_model=True), summary(2, by_model=False, why="left out (x)"),
            summary(3, by_model=False, why="left out (x)")]
    line = summaries_unavailable(some, md_escape)
    assert line is not None and line.startswith("Summaries unavailable for 2 of 3 items")
    assert line.count("left out") == 1 and "\\(x\\)" in line
