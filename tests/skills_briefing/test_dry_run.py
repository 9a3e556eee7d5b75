"""`hearth briefing now --dry-run`: composed and printed, published, written and sent nowhere."""

from __future__ import annotations

from pathlib import Path

from agent.cli.briefing import briefing_now
from tests.skills_briefing.support import Watcher, household
from tests.support.broker import Broker
from tests.support.feeds import FeedServer, fixture


async def test_dry_run_composes_and_delivers_nothing(
        feed_server: FeedServer, dead_url: str, state_dir: Path, topic_prefix: str,
        running_broker: Broker) -> None:
    feed_server.add("/world.xml", fixture("world.xml"))
    config = household(state_dir, [feed_server.url("/world.xml")], ollama=dead_url,
                       broker=running_broker, prefix=topic_prefix,
                       extra={"skills": {"news": {"allow_cloud": False}},
                              "briefing": {"notifiers": ["mqtt", "file"]}})
    latest = state_dir / "briefings" / "latest.md"
    watcher = Watcher(running_broker, topic_prefix)
    try:
        dry = await briefing_now(config, dry_run=True)
        assert dry["markdown"].startswith("# Briefing for ")
        assert "Harbour reopens after storm repairs" in dry["markdown"]
        assert not latest.exists()
        assert [t for t, _, _ in watcher.drain(1.0) if t.endswith("/briefing")] == []
        # The same call without --dry-run does deliver: the checks above can fail.
        await briefing_now(config)
        assert latest.exists()
        assert [t for t, _, _ in watcher.drain(2.0) if t.endswith("/briefing")]
    finally:
        watcher.close()
