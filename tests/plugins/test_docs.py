"""docs/skills.md stays true: its examples are the files the tests load (and run), its
tables match the code."""

from __future__ import annotations

import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from importlib.metadata import EntryPoint
from pathlib import Path

from agent.config import HearthConfig
from agent.daemon.core import open_core
from agent.mqtt.types import MessageMeta
from agent.plugins import GROUP, CommonKeys, SkillDeclaration
from agent.plugins.argschema import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "skills.md").read_text(encoding="utf-8")


def test_example_in_the_docs_is_the_tested_file() -> None:
    source = (ROOT / "tests" / "plugins" / "example_skill" / "__init__.py").read_text("utf-8")
    assert f"```python\n{source}```" in DOC


def test_every_declaration_field_is_documented() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", DOC, flags=re.MULTILINE))
    assert {f.name for f in fields(SkillDeclaration)} <= documented


def test_every_common_config_key_is_documented() -> None:
    for name, info in CommonKeys.model_fields.items():
        default = "declared" if info.default is None else str(info.default).lower()
        default = default.removesuffix(".0")
        assert f"| `{name}` | `{default}` |" in DOC or f"| `{name}` | {default} |" in DOC, name


def test_every_supported_schema_keyword_is_documented() -> None:
    for keyword in SUPPORTED:
        assert f"`{keyword}`" in DOC, keyword


def test_the_declaration_table_says_which_fields_are_required() -> None:
    rows = dict(re.findall(r"^\| `(\w+)` \| (required|`[^`]*`) \|", DOC, flags=re.MULTILINE))
    for f in fields(SkillDeclaration):
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        assert (rows[f.name] != "required") == has_default, f.name


def test_the_packaging_snippet_is_buildable_and_depends_on_hearth() -> None:
    (snippet,) = re.findall(r"```toml\n(\[build-system\].*?)```", DOC, flags=re.DOTALL)
    declared = tomllib.loads(snippet)
    assert declared["build-system"]["build-backend"] == "setuptools.build_meta"
    ours = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert ours["project"]["name"] in declared["project"]["dependencies"]


def test_the_setup_hook_example_in_the_docs_is_the_tested_file() -> None:
    source = (ROOT / "tests" / "plugins" / "example_setup_skill" / "__init__.py").read_text(
        "utf-8")
    assert f"```python\n{source}```" in DOC


@dataclass
class _Recorder:
    """A bridge that records what was published (the daemon's is the MQTT bridge)."""

    sent: list[tuple[str, bytes, bool]] = field(default_factory=list)

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Nothing to subscribe on."""

    async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                      retain: bool = False) -> None:
        self.sent.append((topic, payload.encode() if isinstance(payload, str) else payload,
                          retain))


async def test_the_setup_hook_example_runs_in_the_core(state_dir: Path) -> None:
    config = HearthConfig.model_validate({
        "hearth": {"state_dir": str(state_dir)},
        "mqtt": {"prefix": "casa"},
        "devices": [{"name": "front door", "area": "hall", "kind": "lock",
                     "protocol": "zigbee2mqtt", "address": "front_door_lock"}],
    })
    porch = EntryPoint("porch", "tests.plugins.example_setup_skill:skill", GROUP)
    bridge = _Recorder()
    async with open_core(config, state_dir, bridge=bridge, api_key=None,
                         entry_points=[porch]) as core:
        await core.home.handle_message("zigbee2mqtt/front_door_lock",
                                       b'{"state": "LOCK", "battery": 87}', MessageMeta())
        first = await core.dispatcher.handle_text("porch status")
        # The first request's $0 row is on the ledger now: the second one counts it.
        second = await core.dispatcher.handle_text("porch status")
    assert (first.route, first.status, first.skill) == ("intent", "ok", "porch")
    assert first.text == ("front door: battery 87, state lock. Porch spent $0.000000 today "
                          "on 0 request(s).")
    assert second.text is not None and second.text.endswith("on 1 request(s).")
    assert [(t, r) for t, _, r in bridge.sent] == [("casa/porch", True), ("casa/porch", True)]
    assert bridge.sent[0][1] == first.text.encode()


async def test_the_setup_hook_example_is_off_without_its_device(state_dir: Path) -> None:
    config = HearthConfig.model_validate({"hearth": {"state_dir": str(state_dir)}})
    porch = EntryPoint("porch", "tests.plugins.example_setup_skill:skill", GROUP)
    async with open_core(config, state_dir, bridge=None, api_key=None,
                         entry_points=[porch]) as core:
        assert "porch" in core.dispatcher.skills.disabled
