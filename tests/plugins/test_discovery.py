"""Discovery: entry points in, a checked and configured SkillSet out (or a loud error)."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.errors import ConfigError, StartupError
from agent.plugins import GROUP, Skill, SkillDeclaration, discover
from tests.plugins.example_skill import HelloConfig, handle
from tests.support.skill_points import points

HELLO = "tests.plugins.example_skill:skill"


def ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=GROUP)


def config(skills: dict[str, Any] | None = None) -> HearthConfig:
    return HearthConfig.model_validate({"skills": skills or {}})


def test_example_skill_is_discovered_with_its_config() -> None:
    found = discover(config({"hello": {"greeting": "Hi", "timeout": 5, "concurrency": 3}}),
                     entry_points=[ep("hello", HELLO)])
    assert found.names() == ["hello"]
    loaded = found.skills["hello"]
    assert loaded.config == HelloConfig(greeting="Hi")
    assert (loaded.timeout, loaded.concurrency, loaded.tier) == (5.0, 3, "none")
    assert loaded.source == f"hello = {HELLO}"


def test_defaults_apply_without_a_section() -> None:
    loaded = discover(config(), entry_points=[ep("hello", HELLO)]).skills["hello"]
    assert loaded.config == HelloConfig()
    assert loaded.timeout == 120.0
    assert loaded.concurrency == 2


def test_disabled_skill_is_kept_aside() -> None:
    found = discover(config({"hello": {"enabled": False}}), entry_points=[ep("hello", HELLO)])
    assert found.names() == []
    assert list(found.disabled) == ["hello"]
    assert found.by_topic("home/doorbell/pressed") == []


def test_bad_sections_report_every_problem_by_dotted_path() -> None:
    with pytest.raises(ConfigError) as info:
        discover(config({"hello": {"greeting": "", "colour": "red", "timeout": -1},
                         "nosuch": {"enabled": True}}),
                 entry_points=[ep("hello", HELLO)])
    problems = info.value.problems
    assert any(p.startswith("skills.hello.greeting:") for p in problems)
    assert "skills.hello.colour: unknown key" in problems
    assert any(p.startswith("skills.hello.timeout:") for p in problems)
    assert any(p.startswith("skills.nosuch: no installed skill") for p in problems)


def test_section_keys_for_a_skill_without_schema_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"skills\.weather\.city: unknown key"):
        discover(config({"weather": {"city": "Oslo"}}),
                 entry_points=[ep("weather", "tests.plugins.samples:weather")])


def _routed(skill: str, tier: str) -> HearthConfig:
    return HearthConfig.model_validate({"router": {"skills": {skill: {"tier": tier}}}})


def test_tier_override_and_its_cloud_check() -> None:
    found = discover(_routed("hello", "local"), entry_points=[ep("hello", HELLO)])
    assert found.skills["hello"].tier == "local"
    with pytest.raises(ConfigError,
                       match=r"router\.skills\.weather\.tier: 'weather' does not allow"):
        discover(_routed("weather", "fast"),
                 entry_points=[ep("weather", "tests.plugins.samples:weather")])


def test_tier_is_not_a_skill_section_key() -> None:
    # One place for routing overrides: [router.skills.<name>], not [skills.<name>].
    with pytest.raises(ConfigError, match=r"skills\.hello\.tier: unknown key"):
        discover(config({"hello": {"tier": "local"}}), entry_points=[ep("hello", HELLO)])


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("tests.plugins.no_such_module:skill", "ModuleNotFoundError"),
        ("tests.plugins.samples:missing_attr", "AttributeError"),
        ("tests.plugins.samples:not_a_skill", "TypeError"),
    ],
)
def test_a_skill_that_fails_to_load_is_logged_and_skipped(
    value: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="agent.plugins.discovery"):
        found = discover(config({"broken": {"enabled": True}}),
                         entry_points=[ep("broken", value), ep("hello", HELLO)])
    assert found.names() == ["hello"]
    assert found.failed["broken"].startswith(reason)
    assert any("broken" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)


def test_factory_entry_point_is_called() -> None:
    found = discover(config(), entry_points=[ep("weather", "tests.plugins.samples:make_weather")])
    assert found.names() == ["weather"]


def test_installed_group_loads_without_crashing() -> None:
    # The built-ins (home, news, briefing) may or may not be importable yet; either way
    # discovery of the real installed group must come back with a SkillSet.
    found = discover(config())
    assert set(found.names()) | set(found.failed) >= {"home", "news", "briefing"}


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ("tests.plugins.samples:hello_again",
         r"skill name 'hello' is declared twice: by hello = tests\.plugins\.example_skill:skill "
         r"and by other = tests\.plugins\.samples:hello_again"),
        ("tests.plugins.samples:doorbell",
         r"topic 'home/doorbell/pressed' is subscribed by both '(doorbell|hello)' and "
         r"'(doorbell|hello)'"),
        ("tests.plugins.samples:greeter",
         r"intent 'HelloGreet' is claimed by both '(greeter|hello)' and '(greeter|hello)'"),
    ],
)
def test_duplicates_stop_start_up_naming_both(other: str, expected: str) -> None:
    with pytest.raises(StartupError, match=expected) as info:
        discover(config(), entry_points=[ep("hello", HELLO), ep("other", other)])
    message = str(info.value)
    assert "hello" in message
    assert other.rsplit(":", 1)[1].split("_", maxsplit=1)[0] in message


def test_disabling_one_of_two_clashing_skills_resolves_the_clash() -> None:
    found = discover(config({"doorbell": {"enabled": False}}),
                     entry_points=[ep("hello", HELLO),
                                   ep("doorbell", "tests.plugins.samples:doorbell")])
    assert [s.name for s in found.by_topic("home/doorbell/pressed")] == ["hello"]


@pytest.mark.parametrize(
    ("attr", "expected"),
    [
        ("bad_topic", r"badtopic: topic 'home/#/x': '#' must be a whole level and the last"),
        ("bad_template", r"badtemplate: intent 'Broken' template 'turn on \(the light'"),
        ("bad_schema", r"badschema: arguments_schema: unsupported keyword 'patternProperties'"),
        ("cloud_but_local_only", r"cloudy: allow_cloud is false but it uses cloud tier"),
        ("sync_skill", r"must be `async def`: syncy"),
    ],
)
def test_bad_declarations_stop_start_up(attr: str, expected: str) -> None:
    with pytest.raises(StartupError, match=expected):
        discover(config(), entry_points=[ep(attr, f"tests.plugins.samples:{attr}")])


def test_reserved_and_malformed_names_are_refused() -> None:
    none_skill = Skill(SkillDeclaration(name="none", description="x", tier="none"), handle)
    upper = Skill(SkillDeclaration(name="Bad Name", description="x", tier="none"), handle)
    with pytest.raises(StartupError) as info:
        discover(config(), entry_points=points(none_skill, upper))
    assert "none: the name 'none' is reserved" in str(info.value)
    assert "Bad Name: name must match" in str(info.value)


def test_an_unknown_key_in_a_skills_section_gets_a_suggestion() -> None:
    config = HearthConfig.model_validate({"skills": {"news": {"batch_sise": 3,
                                                              "alow_cloud": True}}})
    with pytest.raises(ConfigError) as raised:
        discover(config)
    assert str(raised.value).splitlines()[0] == "2 problems in [skills]"
    assert "skills.news.batch_sise: unknown key (did you mean `batch_size`?)" in str(raised.value)
    assert "skills.news.alow_cloud: unknown key (did you mean `allow_cloud`?)" in str(raised.value)


def test_preflight_counts_one_problem_in_words() -> None:
    from agent.daemon.preflight import check_config

    config = HearthConfig.model_validate({"skills": {"news": {"batch_sise": 3}}})
    with pytest.raises(ConfigError) as raised:
        check_config(config)
    assert str(raised.value).splitlines()[0] == "1 problem"
