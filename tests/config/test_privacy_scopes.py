"""Bad scope names fail `hearth config check` (exit 78) with the dotted path: in [privacy],
in [router.skills.<name>], and in an installed skill's declaration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.config import HearthConfig
from agent.errors import EX_CONFIG, ConfigError
from agent.plugins import Reply, Skill, SkillDeclaration, discover
from agent.plugins.contract import Event, SkillContext
from tests.support.skill_points import points


def _check(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n\n{body}', encoding="utf-8")
    code = main(["config", "check", "--json", str(cfg)])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("body", "key"), [
    ('[privacy]\ncloud_scopes = ["utterance", "camera"]\n', "privacy.cloud_scopes[1]"),
    ('[router.skills.advisor]\ncloud_scopes = ["history", "gps"]\n',
     "router.skills.advisor.cloud_scopes[1]"),
    ('[router.skills.news]\non_scope = "shrug"\n', "router.skills.news.on_scope"),
    ('[privacy.hide]\nkinds = ["camera"]\n', "privacy.hide.kinds[0]"),
])
def test_an_unknown_scope_in_the_config_names_its_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, key: str) -> None:
    code, out = _check(tmp_path, body, capsys)
    assert code == EX_CONFIG
    assert key in [p["key"] for p in out["problems"]], out


def test_the_privacy_defaults_keep_the_home_local() -> None:
    privacy = HearthConfig().privacy
    assert set(privacy.cloud_scopes) == {"utterance", "conversation", "news", "lists", "spend"}
    assert not {"devices", "states", "history"} & set(privacy.cloud_scopes)


async def _noop(ctx: SkillContext, event: Event) -> Reply:
    return Reply("")


def test_a_skill_declaring_an_unknown_scope_fails_the_check() -> None:
    leaky = Skill(SkillDeclaration(name="leaky", description="Sends odd things.", tier="deep",
                                   cloud_scopes=("utterance", "location"), cues=("", "go")),
                  _noop)
    with pytest.raises(ConfigError) as err:
        discover(HearthConfig(), entry_points=points(leaky))
    assert err.value.exit_code == EX_CONFIG
    problems = "\n".join(err.value.problems)
    assert "skills.leaky.cloud_scopes[1]: unknown scope 'location' (scopes are utterance" in \
        problems
    assert "skills.leaky.cues[0]" in problems
