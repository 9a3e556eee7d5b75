"""Briefing composition and delivery: fallbacks, failures, the spoken variant, catch-up."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from agent.credentials import ApiKey
from agent.errors import ConfigError, PublishFailed, SkillError
from agent.notifiers import FileNotifier, MqttNotifier, NotifierContext, build_notifiers
from agent.plugins.contract import ActionEvent, ScheduleEvent
from agent.scheduler import BRIEFING_JOB, Scheduler, configured_jobs
from skills.briefing import handle
from skills.briefing.render import render_spoken
from skills.briefing.service import BriefingService
from tests.skills_briefing.support import (
    berlin,
    good_summaries,
    household,
    open_stack,
    quoted_items,
)
from tests.support.fake_anthropic import FakeAnthropic, last_user_text
from tests.support.fake_anthropic import answer as claude_answer
from tests.support.feeds import FeedServer, fixture
from tests.support.model_fixtures import HttpRequest

KEY = ApiKey("sk-ant-api03-" + "t" * 40)


def claude_summariser(request: HttpRequest) -> object:
    return claude_answer(json=good_summaries(quoted_items(last_user_text(request.json))))


async def test_fast_tier_fallback_when_ollama_is_down(
        feed_server: FeedServer, fake_anthropic: FakeAnthropic, dead_url: str,
        state_dir: Path) -> None:
    fake_anthropic.set_responder(claude_summariser)
    feed_server.add("/world.xml", fixture("world.xml"))
    config = household(state_dir, [feed_server.url("/world.xml")], ollama=dead_url, broker=None,
                       prefix="p", extra={"anthropic": {"base_url": fake_anthropic.url},
                                          "briefing": {"notifiers": ["file"]}})
    stack = await open_stack(config, state_dir, api_key=KEY)
    try:
        service = stack.briefing
        briefing = await service.run(trigger="now")
        news = next(p for p in briefing.parts if p.key == "news")
        assert next(i["headline"] for i in news.data["items"]) == "H: Harbour reopens after storm repairs"
        body = fake_anthropic.message_bodies[0]
        assert not body.get("tools")
        assert body["output_config"]["format"]["type"] == "json_schema"
        spend = next(p for p in briefing.parts if p.key == "spend")
        assert spend.data["calls"] == 0  # yesterday had none
        from datetime import UTC, timedelta

        now = datetime.now(UTC)
        report = await stack.ledger.spend_between(now - timedelta(hours=1), now + timedelta(hours=1))
        assert report.cost_micros > 0
        assert "fast" in {line.name for line in report.by_tier}
    finally:
        await stack.close()


class Failing:
    """A notifier whose transport is down."""

    name = "pager"

    async def deliver(self, briefing: object) -> None:
        raise PublishFailed("broker unreachable")


async def test_no_notifier_delivered_means_the_news_waits(
        feed_server: FeedServer, dead_url: str, state_dir: Path) -> None:
    feed_server.add("/world.xml", fixture("world.xml"))
    config = household(state_dir, [feed_server.url("/world.xml")], ollama=dead_url, broker=None,
                       prefix="p", extra={"skills": {"news": {"allow_cloud": False}},
                                          "briefing": {"notifiers": []}})
    stack = await open_stack(config, state_dir)
    try:
        service, desk = stack.briefing, stack.desk
        service.notifiers = [Failing()]
        with pytest.raises(SkillError, match="no notifier"):
            await service.run(trigger="now")
        assert len(await desk.pending(10)) == 3  # not marked: the next briefing carries them
        service.notifiers = [Failing(), FileNotifier(state_dir)]
        briefing = await service.run(trigger="now")
        assert len(next(p for p in briefing.parts if p.key == "news").data["items"]) == 3
        assert await desk.pending(10) == []
    finally:
        await stack.close()


async def test_a_failing_part_is_noted_and_the_rest_delivered(
        feed_server: FeedServer, dead_url: str, state_dir: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    feed_server.add("/world.xml", fixture("world.xml"))
    config = household(state_dir, [feed_server.url("/world.xml")], ollama=dead_url, broker=None,
                       prefix="p", extra={"skills": {"news": {"allow_cloud": False}},
                                          "briefing": {"notifiers": ["file"]}})
    stack = await open_stack(config, state_dir)
    try:
        service = stack.briefing

        class Broken:
            name = "weather"

            async def contribute(self, request: object) -> None:
                raise SkillError("weather service down", skill="weather")

        service = BriefingService(config, [Broken(), *service.parts], service.notifiers)
        with caplog.at_level(logging.WARNING):
            briefing = await service.run(trigger="now")
        assert [p.key for p in briefing.parts] == ["weather", "news", "spend"]
        assert briefing.parts[0].lines == ("(unavailable this time)",)
        assert any("weather service down" in r.getMessage() for r in caplog.records)
    finally:
        await stack.close()


def test_spoken_variant_respects_the_word_limit() -> None:
    from agent.notifiers.types import BriefingPart

    parts = [BriefingPart("news", "News", (), spoken="Five new headlines. " + "Word " * 100 + "."),
             BriefingPart("spend", "Spend", (), spoken="Yesterday hearth spent $0.00.")]
    spoken = render_spoken(berlin(7, 0), parts, 20)
    assert spoken.startswith("Good morning. Five new headlines.")
    assert len(spoken.split()) <= 21
    assert render_spoken(berlin(15, 0), parts[1:], 80) == "Hello. Yesterday hearth spent $0.00."


def test_unknown_notifier_is_a_config_error(state_dir: Path) -> None:
    config = household(state_dir, [], ollama="http://x", broker=None, prefix="p")
    with pytest.raises(ConfigError, match="unknown notifier 'carrier-pigeon'"):
        build_notifiers(["file", "carrier-pigeon"], NotifierContext(config, state_dir, None))
    built = build_notifiers(["mqtt", "file"], NotifierContext(config, state_dir, None))
    assert [n.name for n in built] == ["file"]  # no MQTT connection: left out, logged

    async def publish(topic: str, payload: bytes, retain: bool) -> None: ...

    built = build_notifiers(["mqtt", "file"], NotifierContext(config, state_dir, publish))
    assert isinstance(built[0], MqttNotifier) and built[0].topic == "p/briefing"


async def test_missed_briefing_is_caught_up_once_through_the_skill(
        feed_server: FeedServer, dead_url: str, state_dir: Path) -> None:
    feed_server.add("/world.xml", fixture("world.xml"))
    config = household(state_dir, [feed_server.url("/world.xml")], ollama=dead_url, broker=None,
                       prefix="p", extra={"skills": {"news": {"allow_cloud": False}},
                                          "briefing": {"notifiers": ["file"]}})
    stack = await open_stack(config, state_dir, clock=lambda: berlin(7, 20))
    try:
        service = stack.briefing
        ctx = stack.core.dispatcher.context("briefing")
        replies = []

        async def run(skill: str, job: str, planned: datetime, catch_up: bool) -> None:
            replies.append(await handle(service, ctx, ScheduleEvent(job, planned, catch_up)))

        for minute in (20, 25):  # a start at 07:20, then a restart at 07:25
            scheduler = Scheduler(config, stack.db, run,
                                  clock=lambda m=minute: berlin(7, m))  # type: ignore[misc]
            scheduler.add_all(configured_jobs(config))
            await scheduler.catch_up()
            await scheduler.drain()
        assert len(replies) == 1 and replies[0] is not None
        assert replies[0].text.startswith("Good")
        assert len(list((state_dir / "briefings").glob("2*.md"))) == 1
        on_demand = await handle(service, ctx, ActionEvent("now"))
        assert on_demand is not None and "No new headlines" in on_demand.text
        assert BRIEFING_JOB in {j.name for j in scheduler.jobs}
    finally:
        await stack.close()


async def test_an_empty_service_still_composes(state_dir: Path) -> None:
    config = household(state_dir, [], ollama="http://x", broker=None, prefix="p")
    service = BriefingService(config, [], [FileNotifier(state_dir)],
                              clock=lambda: berlin(7, 0).astimezone())
    briefing = await service.run()
    assert briefing.title == "Briefing for Tuesday 24 November 2026"
    assert briefing.local_time == "07:00"
    assert (state_dir / "briefings" / "2026-11-24T0700.md").exists()


async def test_common_skill_keys_are_accepted_and_the_tier_override_is_used(
        feed_server: FeedServer, fake_anthropic: FakeAnthropic, dead_url: str,
        state_dir: Path) -> None:
    fake_anthropic.set_responder(claude_summariser)
    feed_server.add("/tech.atom", fixture("tech.atom"))
    config = household(state_dir, [feed_server.url("/tech.atom")], ollama=dead_url, broker=None,
                       prefix="p", extra={"anthropic": {"base_url": fake_anthropic.url},
                                          "skills": {"news": {"enabled": True, "batch_size": 1}},
                                          "router": {"skills": {"news": {"tier": "fast"}}},
                                          "briefing": {"notifiers": ["file"]}})
    stack = await open_stack(config, state_dir, api_key=KEY)
    try:
        service, desk = stack.briefing, stack.desk
        assert desk.news.batch_size == 1
        await service.run(trigger="now")
        assert len(fake_anthropic.message_bodies) == 2  # fast directly, one item per call
    finally:
        await stack.close()


def test_declarations_pass_the_plugin_checks_and_grant_no_tools() -> None:
    import skills.briefing
    import skills.digest
    import skills.news
    from agent.plugins.skillset import LoadedSkill
    from agent.plugins.validate import declaration_problems

    for module in (skills.news, skills.briefing, skills.digest):
        decl = module.DECLARATION
        checked = module.skill
        assert declaration_problems(LoadedSkill(checked, None, 60, 1, decl.tier)) == []
        assert decl.tools == ()
        assert decl.schedules == ()  # the core schedules them from [briefing] (configured_jobs)
