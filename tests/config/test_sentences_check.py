"""A household's own sentences: checked by `hearth config check`, then matched like the code's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.daemon.core import open_core
from agent.errors import ConfigError
from agent.intents.custom import check_sentences
from agent.plugins import discover
from tests.intents.test_ha_corpus import CountingBridge

LIGHTS = [{"name": "kitchen light", "kind": "light", "area": "kitchen", "command_topic": "t/kl"},
          {"name": "hall light", "kind": "light", "area": "hall", "command_topic": "t/hl"}]


def config(state_dir: Path, sentences: list[dict[str, Any]]) -> HearthConfig:
    return HearthConfig.model_validate({"hearth": {"state_dir": str(state_dir)},
                                        "devices": LIGHTS, "sentences": sentences})


def problems(cfg: HearthConfig) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        check_sentences(cfg, discover(cfg))
    return list(caught.value.problems or [])


def test_every_problem_is_named_by_its_place(state_dir: Path) -> None:
    cfg = config(state_dir, [
        {"intent": "HassTurnOff", "templates": ["lights out [everyone", "<nosuch> {name}",
                                                "douse {candles}"]},
        {"intent": "HassMakeCoffee", "templates": ["coffee"]},
        {"intent": "HassTurnOn", "templates": ["lights up {area}"], "slots": {"colour": "red"}},
    ])
    found = problems(cfg)
    assert found[0].startswith("sentences[0].templates[0]: Unable to find end of optional")
    assert found[1:3] == ["sentences[0].templates[1]: unknown rule <nosuch>",
                          "sentences[0].templates[2]: unknown list {candles}"]
    assert found[3].startswith("sentences[1].intent: 'HassMakeCoffee' is not handled")
    assert found[4] == "sentences[2].slots.colour: HassTurnOn has no slot 'colour'"
    assert len(found) == 5


def test_good_sentences_pass_and_match(state_dir: Path) -> None:
    cfg = config(state_dir, [{"intent": "HassTurnOff",
                              "templates": ["(lights out | douse) [the] {area} [please]"],
                              "slots": {"domain": "light"}}])
    check_sentences(cfg, discover(cfg))


async def test_a_custom_sentence_reaches_the_handler(state_dir: Path) -> None:
    cfg = config(state_dir, [{"intent": "HassTurnOff",
                              "templates": ["(lights out | douse) [the] {area} [please]"],
                              "slots": {"domain": "light"}}])
    async with open_core(cfg, state_dir, bridge=CountingBridge(), api_key=None) as core:
        result = await core.dispatcher.handle_text("douse the kitchen please", dry_run=True)
    actions = result.reply.data["actions"] if result.reply is not None else []
    assert [(a["name"], a["desired"]["state"]) for a in actions] == [("kitchen light", "off")]


def test_config_check_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli.main import main

    path = tmp_path / "config.toml"
    path.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n\n'
                    '[[sentences]]\nintent = "HassTurnOff"\ntemplates = ["douse {candles}"]\n')
    code = main(["config", "check", "--json", str(path)])
    out = json.loads(capsys.readouterr().out)
    assert code == 78
    assert {"key": "sentences[0].templates[0]", "message": "unknown list {candles}"} in [
        {"key": p["key"], "message": p["message"]} for p in out["problems"]]
