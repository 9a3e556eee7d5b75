"""SkillSet: frozen, and MQTT wildcard-aware topic lookup."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from agent.config import HearthConfig
from agent.plugins import GROUP, Reply, Skill, SkillDeclaration, SkillSet, discover, topic_matches
from agent.plugins.skillset import LoadedSkill
from tests.support.skill_points import points


@pytest.mark.parametrize(
    ("pattern", "topic", "expected"),
    [
        ("home/doorbell/pressed", "home/doorbell/pressed", True),
        ("home/doorbell/pressed", "home/doorbell", False),
        ("home/+/pressed", "home/doorbell/pressed", True),
        ("home/+/pressed", "home/a/b/pressed", False),
        ("home/#", "home", True),          # '#' also matches the parent level (MQTT §4.7.1.2)
        ("home/#", "home/a/b/c", True),
        ("home/#", "homes/a", False),
        ("#", "anything/at/all", True),
        ("#", "$SYS/broker/uptime", False),  # wildcards never match $-topics at level one
        ("+/broker/uptime", "$SYS/broker/uptime", False),
        ("$SYS/#", "$SYS/broker/uptime", True),
        ("zigbee2mqtt/+", "zigbee2mqtt/kitchen light", True),
        ("a/+", "a/", True),               # an empty level is still a level
        ("a/+", "a", False),
    ],
)
def test_topic_matches(pattern: str, topic: str, expected: bool) -> None:
    assert topic_matches(pattern, topic) is expected


async def _noop(ctx: object, event: object) -> Reply:
    return Reply("")


def _skill(name: str, *topics: str) -> Skill:
    return Skill(SkillDeclaration(name=name, description=name, tier="none", topics=topics),
                 _noop)  # type: ignore[arg-type]


def test_by_topic_returns_every_subscriber_in_name_order() -> None:
    found = discover(HearthConfig(), entry_points=points(
        _skill("zeta", "home/+/state"), _skill("alpha", "home/#"), _skill("mid", "other/x"),
    ))
    assert [s.name for s in found.by_topic("home/kitchen/state")] == ["alpha", "zeta"]
    assert [s.name for s in found.by_topic("home/kitchen")] == ["alpha"]
    assert found.by_topic("nowhere") == []
    assert found.topics() == ["home/#", "home/+/state", "other/x"]


def test_skillset_is_frozen() -> None:
    found = discover(HearthConfig(), entry_points=[
        EntryPoint(name="hello", value="tests.plugins.example_skill:skill", group=GROUP)])
    with pytest.raises(TypeError):
        found.skills["other"] = found.skills["hello"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        found.skills = {}  # type: ignore[misc]
    assert isinstance(found, SkillSet)
    assert isinstance(found.skills["hello"], LoadedSkill)
