"""Real Apprise (in its worker process) delivering to loopback ntfy and JSON-webhook servers."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from agent.notifiers.events import Notice
from agent.notifiers.push_notifier import PushNotifier
from agent.notifiers.types import Briefing, BriefingPart
from tests.notifiers.conftest import ServerFactory, ntfy, post_and_drain, service, webhook


def _briefing(key: str, title: str, markdown: str) -> Briefing:
    now = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)
    part = BriefingPart(key=key, title=title, lines=(markdown,), spoken="",
                        data={"items": [{"headline": "Rates held",
                                         "link": "https://example.org/rates"}]})
    return Briefing(created_at=now, planned=None, local_date="2026-12-02", local_time="07:30",
                    title=title, parts=(part,), markdown=markdown, spoken="")


async def test_each_kind_of_notice_arrives_with_its_text(push_server: ServerFactory) -> None:
    phone, hook = push_server(), push_server()
    push = service([ntfy("phone", phone), webhook("hook", hook)])
    notifier = PushNotifier(push)
    await push.start()
    try:
        await notifier.deliver(_briefing("news", "Morning briefing", "## News\n- Rates held"))
        push.post(Notice("pending", "Confirm: unlock front door", "Reply `hearth confirm k7m2q`"))
        push.post(Notice("budget", "Budget at 80%", "Today: **$0.80** of $1.00"))
        await notifier.deliver(_briefing("timer", "Timer done", "Your pasta timer has ended."))
        got_phone = await asyncio.to_thread(phone.wait_for, 4)
        got_hook = await asyncio.to_thread(hook.wait_for, 4)
    finally:
        await push.stop(timeout=5)
    # ntfy: POST to the host root, the topic in the JSON body.
    assert {r.path for r in got_phone} == {"/"}
    assert [r.body["topic"] for r in got_phone] == ["hearth-topic"] * 4
    assert [r.body["title"] for r in got_phone] == [
        "Morning briefing", "Confirm: unlock front door", "Budget at 80%", "Timer done"]
    briefing = got_phone[0].body["message"]
    assert "Rates held" in briefing and "https://example.org/rates" in briefing
    assert "hearth confirm k7m2q" in got_phone[1].body["message"]
    assert "$0.80" in got_phone[2].body["message"]
    assert got_phone[3].body["message"].startswith("Your pasta timer has ended.")
    # JSON webhook: POST /hook with version/title/message/type.
    assert {r.path for r in got_hook} == {"/hook"}
    assert [r.body["title"] for r in got_hook] == [r.body["title"] for r in got_phone]
    assert all(r.body["version"] == "1.0" and r.body["type"] == "info" for r in got_hook)
    assert "$0.80" in got_hook[2].body["message"]
    rows = {row["name"]: row for row in push.status()}
    assert rows["phone"]["delivered"] == rows["hook"]["delivered"] == 4
    assert rows["phone"]["service"] == "ntfy" and rows["hook"]["service"] == "json"


async def test_an_entry_gets_only_the_events_it_lists(push_server: ServerFactory) -> None:
    hook = push_server()
    push = service([webhook("hook", hook, events=["timer"])])
    await push.start()
    try:
        push.post(Notice("budget", "Budget", "not for this entry"))
        push.post(Notice("timer", "Timer done", "eggs"))
        (got,) = await asyncio.to_thread(hook.wait_for, 1)
    finally:
        await push.stop(timeout=5)
    assert got.body["title"] == "Timer done"
    assert len(hook.requests) == 1


async def test_a_500_then_200_delivers_the_message_once(push_server: ServerFactory) -> None:
    hook = push_server(["fail", "ok"])
    push = service([webhook("hook", hook)])
    await push.start()
    try:
        push.post(Notice("budget", "Budget at 80%", "once"))
        await asyncio.to_thread(hook.wait_for, 2)
        await push.stop(timeout=30)  # drains: the retry has finished when this returns
    finally:
        await push.stop(timeout=0)
    assert [r.answer for r in hook.requests] == ["fail", "ok"]
    assert hook.messages() == ["once"]
    (row,) = push.status()
    assert (row["delivered"], row["failed"], row["last_error"]) == (1, 0, None)


async def test_a_hung_service_does_not_delay_the_other(push_server: ServerFactory) -> None:
    stuck, fine = push_server(["hang"]), push_server()
    push = service([webhook("stuck", stuck), ntfy("fine", fine)])
    await push.start()
    try:
        push.post(Notice("timer", "Timer done", "tea"))
        push.post(Notice("pending", "Confirm", "garage"))
        await asyncio.to_thread(stuck.wait_for, 1)
        got = await asyncio.to_thread(fine.wait_for, 2)
        # Both of the other entry's notices arrived while the first request still hangs.
        assert not stuck.release.is_set()
        assert len(stuck.requests) == 1
        rows = {row["name"]: row for row in push.status()}
        assert rows["stuck"]["delivered"] == 0 and rows["stuck"]["queued"] == 1
    finally:
        await push.stop(timeout=0)
    assert [r.body["title"] for r in got] == ["Timer done", "Confirm"]


async def test_after_the_last_attempt_one_warning_names_the_entry(
        push_server: ServerFactory, caplog: pytest.LogCaptureFixture) -> None:
    hook = push_server(["fail", "fail", "fail"])
    push = service([webhook("hook", hook)])
    caplog.set_level(logging.DEBUG)
    await push.start()
    try:
        push.post(Notice("error", "hearth: error", "broken"))
        await asyncio.to_thread(hook.wait_for, 3)
        await push.stop(timeout=30)
    finally:
        await push.stop(timeout=0)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING
                and r.name.startswith("agent.notifiers")]
    assert len(warnings) == 1
    assert "hook (json)" in warnings[0].getMessage()
    assert "127.0.0.1" not in warnings[0].getMessage()
    (row,) = push.status()
    assert (row["delivered"], row["failed"]) == (0, 1)
    assert row["last_error"] and row["last_failure"]


async def test_an_attempt_that_takes_too_long_is_killed(push_server: ServerFactory) -> None:
    stuck = push_server(["hang"])
    push = service([webhook("stuck", stuck)], retry_delays=(), attempt_timeout=2.0)
    await post_and_drain(push, Notice("timer", "Timer done", "tea"), timeout=60)
    (row,) = push.status()
    assert row["failed"] == 1
    assert row["last_error"] == "no answer within 2 s"


async def test_a_notice_posted_from_another_thread_is_delivered(
        push_server: ServerFactory) -> None:
    hook = push_server()
    push = service([webhook("hook", hook)])
    await push.start()
    try:
        await asyncio.to_thread(push.post, Notice("error", "hearth: error", "from a thread"))
        await asyncio.to_thread(hook.wait_for, 1)
    finally:
        await push.stop(timeout=5)
    assert hook.messages() == ["from a thread"]
