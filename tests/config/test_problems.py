"""Config problems in the user's words: no pydantic phrasing, a suggestion for a typo."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_config, parse_config
from agent.errors import ConfigError


def _problems(data: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return list(info.value.problems)


def test_bad_file_golden(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[hearth]\ntimezone = "Europe/Londn"\nshutdown_timout = 5\n'
                   '[mqtt]\nport = "abc"\n')
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert str(info.value).startswith(f"{bad}: 3 problems")
    assert sorted(info.value.problems) == [
        "hearth.shutdown_timout: unknown key (did you mean `shutdown_timeout`?)",
        "hearth.timezone: unknown timezone 'Europe/Londn' (use an IANA name like Europe/Berlin)",
        "mqtt.port: must be a whole number, got 'abc'",
    ]


def test_one_problem_is_singular() -> None:
    with pytest.raises(ConfigError, match=r"^config: 1 problem\n"):
        parse_config({"mqtt": {"port": "abc"}})


def test_unknown_key_inside_a_mapping_of_sections_suggests_the_field() -> None:
    assert "tiers.local.modle: unknown key (did you mean `model`?)" in _problems(
        {"tiers": {"local": {"backend": "ollama", "modle": "x"}}})


def test_unknown_top_level_key_suggests_a_section_and_nonsense_suggests_nothing() -> None:
    assert _problems({"mqqt": {}}) == ["mqqt: unknown key (did you mean `mqtt`?)"]
    assert _problems({"colour": "red"}) == ["colour: unknown key"]


def test_bounds_choices_and_list_items() -> None:
    problems = _problems({"mqtt": {"port": -1}, "hearth": {"log_level": "WARNNG"},
                          "devices": [{"name": "lamp", "kind": "toaster"}]})
    assert "mqtt.port: must be at least 1, got -1" in problems
    assert ("hearth.log_level: must be one of 'DEBUG', 'INFO', 'WARNING' or 'ERROR', "
            "got 'WARNNG' (did you mean `WARNING`?)") in problems
    assert any(p.startswith("devices[0].kind: must be one of 'light'") for p in problems)
    assert not any("Input should" in p or "Value error" in p for p in problems)


def test_a_secret_is_never_echoed() -> None:
    problems = _problems({"anthropic": {"api_key": "sk-ant-0123456789"}})
    assert problems == ['anthropic.api_key: must say where the secret is: { env = "VARIABLE" } '
                        'or { file = "/path" } (the secret itself never goes in the config file)']
    assert not any("sk-ant" in p for p in _problems({"anthropic": {"api_key": 4242}}))


def test_a_long_value_is_shortened() -> None:
    [problem] = _problems({"mqtt": {"port": "x" * 100}})
    assert problem == "mqtt.port: must be a whole number, got '" + "x" * 39 + "…'"


def test_another_model_gets_plain_words_and_its_own_suggestions() -> None:
    from pydantic import ValidationError

    from agent.config.load import problems_of
    from agent.config.mqtt import MqttSection

    with pytest.raises(ValidationError) as info:
        MqttSection.model_validate({"hots": "x", "port": "abc"})
    assert problems_of(info.value) == ["port: must be a whole number, got 'abc'",
                                       "hots: unknown key"]
    assert problems_of(info.value, MqttSection)[1] == "hots: unknown key (did you mean `host`?)"


def test_an_unknown_tier_is_named_in_the_singular() -> None:
    assert _problems({"tiers": {"cloud": {"backend": "anthropic", "model": "m"}}}) == [
        "1 unknown tier (cloud); tiers are local, fast, deep"]
