"""Helpers for the doctor tests: config files, a clock that says yes, parsed output."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.broker import free_port

NO_KEY_VAR = "HEARTH_DOCTOR_TEST_NO_KEY"
KEY_VAR = "HEARTH_DOCTOR_TEST_KEY"
FAKE_KEY = "sk-ant-api03-DoctorTestKeyDoNotPrint0123456789"

ConfigWriter = Callable[..., Path]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN",
                 "HEARTH_CONFIG", "STATE_DIRECTORY", "RUNTIME_DIRECTORY", "OLLAMA_API_KEY",
                 NO_KEY_VAR, KEY_VAR):
        monkeypatch.delenv(name, raising=False)
    # A `timedatectl` that reports a synchronised clock, first on PATH, so the outcome does
    # not depend on the machine running the tests (tests/doctor/test_checks covers the rest).
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "timedatectl"
    tool.write_text("#!/bin/sh\necho yes\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}:{__import__('os').environ['PATH']}")


@pytest.fixture
def write_config(tmp_path: Path) -> ConfigWriter:
    """Write a config file: state in tmp_path, broker/Ollama/key as given."""

    def write(*, mqtt_port: int | None = None, ollama_host: str | None = None,
              key_var: str = NO_KEY_VAR, extra: str = "") -> Path:
        state = tmp_path / "state"
        cfg = tmp_path / "config.toml"
        cfg.write_text(
            f'[hearth]\nstate_dir = "{state}"\n\n'
            f'[mqtt]\nhost = "127.0.0.1"\nport = {mqtt_port or free_port()}\n\n'
            f'[ollama]\nhost = "{ollama_host or f"http://127.0.0.1:{free_port()}"}"\n\n'
            f'[anthropic]\napi_key = {{ env = "{key_var}" }}\n\n{extra}'
        )
        return cfg

    return write


def parse_table(out: str) -> dict[str, tuple[str, str]]:
    """check name -> (result, detail) from `hearth doctor`'s tab-separated table."""
    rows = [line.split("\t") for line in out.splitlines() if "\t" in line]
    assert rows[0] == ["CHECK", "RESULT", "DETAIL"]
    return {r[0]: (r[1], r[2]) for r in rows[1:]}


def parse_fixes(out: str) -> dict[str, str]:
    """check name -> fix, from the "How to fix:" section."""
    if "How to fix:" not in out:
        return {}
    section = out.split("How to fix:", 1)[1]
    fixes = {}
    for line in section.strip().splitlines():
        name, _, fix = line.strip().partition(": ")
        fixes[name] = fix
    return fixes
