"""The news skill's handler and desk against loopback feeds, fake Ollama and a real ledger."""

from __future__ import annotations

from pathlib import Path

from agent.plugins.contract import ActionEvent, MqttEvent, ScheduleEvent, TextEvent
from skills import news
from skills.news.desk import NewsDesk
from tests.skills_briefing.support import household, ollama_summariser, open_stack
from tests.support.fake_ollama import FakeOllama
from tests.support.feeds import FeedServer, fixture


def test_the_declaration_grants_nothing() -> None:
    decl = news.skill.declaration
    assert decl.tools == () and decl.tier == "local" and decl.fallback == ("fast",)


async def test_fetch_prepare_and_ask(feed_server: FeedServer, fake_ollama: FakeOllama,
                                     state_dir: Path) -> None:
    fake_ollama.set_responder(ollama_summariser)
    feed_server.add("/world.xml", fixture("world.xml"))
    feed_server.add("/broken.xml", fixture("entities.xml"))
    config = household(state_dir, [feed_server.url("/world.xml"), feed_server.url("/broken.xml")],
                       ollama=fake_ollama.url, broker=None, prefix="p")
    stack = await open_stack(config, state_dir)
    try:
        desk = stack.desk
        skill = stack.core.dispatcher.skills.get("news")
        assert skill is not None and skill.handler is not None
        ctx = stack.core.dispatcher.context("news")
        fetched = await skill.handler(ctx, ActionEvent("fetch"))
        assert fetched is not None and fetched.data["new_items"] == 3
        assert fetched.data["failed"] == [feed_server.url("/broken.xml")]
        assert fake_ollama.chat_bodies == []  # fetching costs no model call
        prepared = await skill.handler(ctx, ScheduleEvent("news.prepare", desk._clock(), False))
        assert prepared is not None and prepared.data["ready"] == 3
        calls = len(fake_ollama.chat_bodies)
        assert calls == 1  # three items, one batch
        # Asking reuses the prepared summaries: no second model call.
        answer = await skill.handler(ctx, TextEvent("what's the news"))
        assert answer is not None and answer.text.startswith("H: Harbour")
        assert len(fake_ollama.chat_bodies) == calls
        assert await skill.handler(ctx, MqttEvent("x", b"y")) is None
    finally:
        await stack.close()


async def test_batches_follow_the_configured_size(feed_server: FeedServer,
                                                  fake_ollama: FakeOllama,
                                                  state_dir: Path) -> None:
    fake_ollama.set_responder(ollama_summariser)
    feed_server.add("/world.xml", fixture("world.xml"))
    feed_server.add("/tech.atom", fixture("tech.atom"))
    config = household(state_dir, [feed_server.url("/world.xml"), feed_server.url("/tech.atom")],
                       ollama=fake_ollama.url, broker=None, prefix="p",
                       extra={"skills": {"news": {"batch_size": 2}}})
    stack = await open_stack(config, state_dir)
    try:
        from skills.news.desk import NewsConfig

        desk = NewsDesk(config, stack.db, stack.router.bind("news", tier="local",
                                                            allow_cloud=False),
                        news=NewsConfig(batch_size=2))
        assert await desk.prepare() == 5
        assert len(fake_ollama.chat_bodies) == 3  # 2 + 2 + 1
    finally:
        await stack.close()


def test_loading_the_built_in_skills_loads_no_feed_or_batch_code() -> None:
    # Discovery imports every installed skill; the feeds code (feedparser, httpx) and the
    # digest's batch code load only when a skill's setup builds what needs them.
    import subprocess
    import sys

    code = ("import sys, skills.news, skills.briefing, skills.digest, skills.home; "
            "print(sorted(m for m in ('feedparser', 'agent.feeds', 'skills.news.desk', "
            "'skills.digest.digest', 'agent.router.batches') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
