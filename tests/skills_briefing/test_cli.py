"""`hearth briefing now`, in-process, against loopback feeds, fake Ollama and the broker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main
from tests.skills_briefing.support import Watcher, ollama_summariser
from tests.support.broker import Broker
from tests.support.fake_ollama import FakeOllama
from tests.support.feeds import FeedServer, fixture


def test_briefing_now_delivers_and_prints(  # noqa: PLR0917 - fixtures
        tmp_path: Path, state_dir: Path, feed_server: FeedServer, fake_ollama: FakeOllama,
        running_broker: Broker, topic_prefix: str, capsys: pytest.CaptureFixture[str]) -> None:
    fake_ollama.set_responder(ollama_summariser)
    url = feed_server.add("/tech.atom", fixture("tech.atom"))
    path = tmp_path / "config.toml"
    path.write_text(f"""
[hearth]
state_dir = "{state_dir}"

[ollama]
host = "{fake_ollama.url}"

[mqtt]
host = "{running_broker.host}"
port = {running_broker.port}
prefix = "{topic_prefix}"

[feeds]
allow_private_addresses = true
feeds = [{{ url = "{url}", name = "Tech" }}]
""")
    watcher = Watcher(running_broker, topic_prefix)
    try:
        assert main(["--config", str(path), "briefing", "now", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        news = next(s for s in out["sections"] if s["key"] == "news")
        assert [i["headline"] for i in news["data"]["items"]] == [
            "H: New low-power board announced", "H: Browser release fixes memory leak"]
        live = {t for t, _, _ in watcher.drain()}
        assert live == {f"{topic_prefix}/briefing", f"{topic_prefix}/briefing/spoken"}
        # A satellite that connects later still gets it: the messages are retained.
        late = Watcher(running_broker, topic_prefix)
        retained = {t: p for t, p, r in late.drain() if r}
        late.close()
        assert json.loads(retained[f"{topic_prefix}/briefing"])["title"] == out["title"]
        assert retained[f"{topic_prefix}/briefing/spoken"].decode().startswith(("Good", "Hello"))
        assert (state_dir / "briefings" / "latest.md").read_text() == out["markdown"]
        # Without a broker, the file is still written and the command succeeds.
        assert main(["--config", str(path), "briefing", "now", "--no-mqtt"]) == 0
        assert "No new items" in capsys.readouterr().out
    finally:
        watcher.close()


def test_briefing_now_on_a_fresh_state_with_a_failing_feed_says_what_happened(
        tmp_path: Path, state_dir: Path, feed_server: FeedServer, dead_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = feed_server.add("/down.xml", b"oops", status=500)
    path = tmp_path / "config.toml"
    path.write_text(f"""
[hearth]
state_dir = "{state_dir}"

[ollama]
host = "{dead_url}"

[briefing]
notifiers = ["file"]

[feeds]
allow_private_addresses = true
feeds = [{{ url = "{url}", name = "Town Gazette" }}]
""")
    assert main(["--config", str(path), "briefing", "now", "--no-mqtt"]) == 0
    out = capsys.readouterr().out
    # There never was a briefing with news: nothing happened "since the last briefing".
    assert "since the last briefing" not in out
    assert "No news yet" in out
    # What happened instead, in the briefing itself: which feed failed, and why.
    assert "Town Gazette" in out and "HTTP 500" in out
