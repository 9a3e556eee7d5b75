"""Briefings, digests and ended timers as notices."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.notifiers.events import Notice
from agent.notifiers.push_notifier import PushNotifier, briefing_notice
from agent.notifiers.types import Briefing, BriefingPart


def _briefing(*parts: BriefingPart, markdown: str = "# Briefing") -> Briefing:
    return Briefing(created_at=datetime(2026, 12, 2, 6, 0, tzinfo=UTC), planned=None,
                    local_date="2026-12-02", local_time="07:00", title="Good morning",
                    parts=parts, markdown=markdown, spoken="")


def test_the_event_follows_the_first_part() -> None:
    assert briefing_notice(_briefing(BriefingPart("timer", "Timer", ("done",)))).event == "timer"
    assert briefing_notice(_briefing(BriefingPart("digest", "Week", ("x",)))).event == "digest"
    assert briefing_notice(_briefing(BriefingPart("news", "News", ("x",)))).event == "briefing"
    assert briefing_notice(_briefing()).event == "briefing"


def test_links_come_from_the_parts_data_once_and_only_http() -> None:
    items = [{"headline": "Rates held", "link": "https://example.org/a"},
             {"headline": "Rates held", "link": "https://example.org/a"},
             {"headline": "Sneaky", "link": "javascript:alert(1)"},
             {"summary": "no link"}]
    news = BriefingPart("news", "News", ("- Rates held",), data={"items": items})
    spend = BriefingPart("spend", "Spend", ("$0.10",), data={"today_usd": 0.1})
    notice = briefing_notice(_briefing(news, spend, markdown="## News\n- Rates held"))
    assert notice == Notice("briefing", "Good morning", "## News\n- Rates held",
                            (("Rates held", "https://example.org/a"),))


async def test_deliver_only_queues() -> None:
    posted: list[Notice] = []

    class Sink:
        def post(self, notice: Notice) -> None:
            posted.append(notice)

    notifier = PushNotifier(Sink())
    assert notifier.name == "push"
    await notifier.deliver(_briefing(BriefingPart("timer", "Timer", ("done",)),
                                     markdown="Pasta is ready"))
    assert [(n.event, n.body) for n in posted] == [("timer", "Pasta is ready")]
