"""config.example.toml is documentation that cannot go stale: it loads, and names every key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from agent.config import HearthConfig, load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
_HEADER = re.compile(r"^#?\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?\s*$")
_KEY = re.compile(r"^#?\s*([A-Za-z0-9_]+)\s*=")
_DYNAMIC = {"tiers", "budget.per_tier", "budget.per_skill", "router.skills", "skills"}  # user-named tables


def _documented() -> set[str]:
    """Every `section.key` the example mentions, commented out or not."""
    found: set[str] = set()
    section = ""
    for raw in EXAMPLE.read_text().splitlines():
        line = raw.strip()
        header = _HEADER.match(line)
        if header:
            section = header.group(1)
            found.add(section)
            continue
        key = _KEY.match(line)
        if key:
            found.add(f"{section}.{key.group(1)}" if section else key.group(1))
    return {_normalise(p) for p in found}


def _normalise(path: str) -> str:
    parts = path.split(".")
    for prefix in sorted(_DYNAMIC, key=len, reverse=True):
        n = prefix.count(".") + 1
        if parts[:n] == prefix.split(".") and len(parts) > n:
            return ".".join([*parts[:n], "*", *parts[n + 1:]])
    return path


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, UnionType, tuple, dict):
        for arg in get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _expected(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        sub = _model_of(field.annotation)
        if sub is not None and sub.__name__ != "SecretRef":
            if get_origin(field.annotation) is dict:
                path = f"{path}.*"
            keys |= _expected(sub, path)
        else:
            keys.add(path)
    return keys


def test_example_loads_and_validates() -> None:
    config = load_config(EXAMPLE)
    assert isinstance(config, HearthConfig)
    tomllib.loads(EXAMPLE.read_text())


def test_every_config_key_is_documented_in_the_example() -> None:
    missing = sorted(_expected(HearthConfig) - _documented() - {"skills"})
    assert not missing, f"config.example.toml does not document: {missing}"
