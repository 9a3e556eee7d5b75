"""Config loading: every problem at once, with dotted paths; secrets referenced, not inline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.config import HearthConfig, SecretRef, find_config, load_config, parse_config
from agent.errors import ConfigError, CredentialRefused


def test_empty_file_gives_embedded_defaults(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    config = load_config(cfg)
    assert config == HearthConfig()
    assert config.mqtt.host == "localhost" and config.mqtt.port == 1883
    assert config.ollama.host == "http://localhost:11434"
    assert config.tiers["fast"].model == "claude-haiku-5-5"
    assert config.tiers["deep"].model == "claude-sonnet-5-5"
    # No default may sit on a retiring model.
    assert all("sonnet-4-5" not in t.model for t in config.tiers.values())


def test_all_problems_reported_at_once_with_paths(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('colour = "red"\n[mqtt]\nport = "high"\nhots = "x"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert sorted(p.split(":")[0] for p in info.value.problems) == ["colour", "mqtt.hots", "mqtt.port"]
    assert "mqtt.hots: unknown key (did you mean `host`?)" in info.value.problems
    assert info.value.exit_code == 78


def test_list_items_get_indexed_paths() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"devices": [{"name": "ok"}, {"name": "lamp", "kind": "toaster"}]})
    assert info.value.problems[0].startswith("devices[1].kind:")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[mqtt\nport = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(cfg)
    assert "line 1" in info.value.problems[0]


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_models_are_frozen() -> None:
    config = HearthConfig()
    with pytest.raises(Exception, match="frozen"):
        config.mqtt.port = 1  # type: ignore[misc]


def test_partial_tiers_keep_the_defaults() -> None:
    config = parse_config({"tiers": {"deep": {"backend": "anthropic", "model": "claude-opus-5-5"}}})
    assert config.tiers["deep"].model == "claude-opus-5-5"
    assert config.tiers["local"].backend == "ollama"


def test_unknown_tier_and_self_fallback_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown tier"):
        parse_config({"tiers": {"huge": {"backend": "anthropic", "model": "x"}}})
    with pytest.raises(ConfigError, match="lists the tier itself"):
        parse_config({"tiers": {"fast": {"backend": "anthropic", "model": "x", "fallback": ["fast"]}}})


def test_bad_timezone_is_named() -> None:
    with pytest.raises(ConfigError, match=r"hearth\.timezone: .*unknown timezone"):
        parse_config({"hearth": {"timezone": "Mars/Olympus"}})


def test_find_config_precedence(tmp_path: Path) -> None:
    explicit = tmp_path / "a.toml"
    assert find_config(explicit, {"HEARTH_CONFIG": "/b.toml"}) == explicit
    assert find_config(None, {"HEARTH_CONFIG": "/b.toml"}) == Path("/b.toml")


def test_secret_ref_needs_exactly_one_source() -> None:
    with pytest.raises(ConfigError, match="give `env`"):
        parse_config({"anthropic": {"api_key": {}}})
    with pytest.raises(ConfigError, match="only one"):
        parse_config({"anthropic": {"api_key": {"env": "A", "file": "/b"}}})


def test_secret_file_must_be_private(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("sk-ant-api03-abc\n")
    key.chmod(0o640)
    ref = SecretRef(file=key)
    with pytest.raises(CredentialRefused, match="chmod 600"):
        ref.resolve()
    key.chmod(0o600)
    assert ref.resolve() == "sk-ant-api03-abc"
    assert SecretRef(file=tmp_path / "absent").resolve() is None
    assert SecretRef(env="HEARTH_TEST_X").resolve({"HEARTH_TEST_X": " v "}) == "v"
    assert "HEARTH_TEST_X" not in os.environ
