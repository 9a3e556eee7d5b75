"""Which skills the doctor counts as needing Claude: the declaration says whether a skill
switches itself off without an API key (then a local-only household does not need one)."""

from __future__ import annotations

import pytest

from agent.config import HearthConfig
from agent.doctor import cloud_skills
from agent.errors import StartupError
from agent.plugins import Reply, Skill, SkillDeclaration, discover
from agent.plugins.services import Services
from tests.support.skill_points import points


async def _handle(_ctx: Services, _event: object) -> Reply | None:
    return None


def _setup(_services: Services) -> None:
    return None  # off: as a skill without its key would be


def _decl(name: str, *, off_without_key: bool = False) -> SkillDeclaration:
    return SkillDeclaration(name=name, description=f"{name} on Claude.", tier="deep",
                            off_without_key=off_without_key)


def test_a_skill_that_switches_itself_off_without_a_key_does_not_need_one() -> None:
    found = points(Skill(_decl("essay"), _handle),
                   Skill(_decl("weekly", off_without_key=True), setup=_setup))
    assert cloud_skills(HearthConfig(), entry_points=found) == ("essay",)


def test_the_installed_digest_declares_it_and_is_not_counted() -> None:
    skills = discover(HearthConfig())
    assert skills.skills["digest"].declaration.off_without_key
    assert "digest" not in cloud_skills(HearthConfig())


def test_off_without_key_needs_a_setup_hook_to_switch_it_off() -> None:
    with pytest.raises(StartupError, match="essay: off_without_key needs a setup hook"):
        discover(HearthConfig(), entry_points=points(
            Skill(_decl("essay", off_without_key=True), _handle)))
