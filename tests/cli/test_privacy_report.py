"""`hearth privacy report`: after real calls through the router and the loopback model
servers, each cloud call's skill, scopes and bytes, refused calls, and the local count."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.config import load_config
from agent.credentials import ApiKey
from agent.db import Database
from agent.errors import PrivacyRefused
from agent.ledger import Ledger
from agent.privacy.scopes import ContextPart
from agent.router import Message, ModelRequest, Router
from tests.support import fake_ollama as fo
from tests.support.fake_anthropic import FakeAnthropic, answer
from tests.support.fake_ollama import FakeOllama

KEY = ApiKey("sk-ant-api03-" + "r" * 40)
STATES = ContextPart("states", "kitchen lamp: on", frozenset({"states"}))


def _question(skill: str, *parts: ContextPart) -> ModelRequest:
    return ModelRequest(skill=skill, messages=[Message("user", "How do we save energy?")],
                        context=parts)


async def test_report_lists_cloud_calls_with_scopes_and_bytes(
        state_dir: Path, tmp_path: Path, fake_anthropic: FakeAnthropic,
        fake_ollama: FakeOllama, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hearth.toml"
    path.write_text(f'[hearth]\nstate_dir = "{state_dir}"\ntimezone = "UTC"\n'
                    f'[ollama]\nhost = "{fake_ollama.url}"\n'
                    f'[anthropic]\nbase_url = "{fake_anthropic.url}"\n'
                    '[privacy]\ncloud_scopes = ["utterance", "states", "news"]\n'
                    '[budget]\ndaily_usd = 1\nmonthly_usd = 5\n', encoding="utf-8")
    config = load_config(path)
    db = Database.open(None, state_dir)
    ledger = Ledger(db, config)
    await ledger.start()
    router = Router(config, ledger, api_key=KEY)
    try:
        fake_anthropic.script(answer("Lower the heating."), answer("Use the dishwasher at night."))
        fake_ollama.script(fo.answer("Locally: switch off."))
        advisor = router.bind("advisor", tier="deep", allow_cloud=True,
                              cloud_scopes=("utterance", "states"), scope_policy="drop")
        await advisor.complete(_question("advisor", STATES))
        news = router.bind("news", tier="fast", allow_cloud=True, cloud_scopes=("news",),
                           scope_policy="refuse")
        await news.complete(ModelRequest(skill="news", scopes=frozenset({"news"}),
                                         messages=[Message("user", "<item>Rain</item>")]))
        with pytest.raises(PrivacyRefused):
            await news.complete(_question("news", STATES))
        await router.complete(_question("dispatcher"), "local")
    finally:
        await router.aclose()
        db.close()
    raw = [len(r.body) for r in fake_anthropic.requests if r.route == "/v1/messages"]

    assert await asyncio.to_thread(main, ["--config", str(path), "privacy", "report",
                                          "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    calls = report["calls"]
    assert [(c["skill"], c["tier"], c["scopes"], c["outcome"]) for c in calls] == [
        ("advisor", "deep", ["states", "utterance"], "ok"),
        ("news", "fast", ["news"], "ok"),
        ("news", "fast", ["states", "utterance"], "refused")]
    for call, size in zip(calls, raw, strict=False):
        assert call["bytes"] == pytest.approx(size, rel=0.02)
    assert calls[2]["bytes"] == 0
    assert report["by_skill"] == {"advisor": {"calls": 1, "bytes": calls[0]["bytes"]},
                                  "news": {"calls": 1, "bytes": calls[1]["bytes"]}}
    assert report["by_scope"]["states"] == {"calls": 1, "bytes": calls[0]["bytes"]}
    assert report["by_scope"]["news"]["calls"] == 1
    assert report["local_calls"] == 1

    assert await asyncio.to_thread(main, ["--config", str(path), "privacy", "report"]) == 0
    text = capsys.readouterr().out
    assert "2 cloud calls" in text and "refused, never sent: 1 call" in text
    assert "advisor" in text and "local calls (never left the house): 1" in text


def test_skills_show_names_declared_and_effective_cloud_scopes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hearth.toml"
    path.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n'
                    '[privacy]\ncloud_scopes = ["utterance"]\n'
                    '[router.skills.news]\non_scope = "local"\n', encoding="utf-8")
    assert main(["--config", str(path), "skills", "show", "news", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["cloud_scopes"], info["effective_cloud_scopes"], info["scope_policy"]) == (
        ["news"], [], "local")
    assert main(["--config", str(path), "skills", "show", "news"]) == 0
    text = capsys.readouterr().out
    assert ("scopes:      news declared for cloud tiers; not allowed by config: news; "
            "policy local") in text
