"""docs/skills.md stays true: its example is the file the tests load, its tables match the code."""

from __future__ import annotations

import re
import tomllib
from dataclasses import MISSING, fields
from pathlib import Path

from agent.plugins import CommonKeys, SkillDeclaration
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
