"""The API-key-only policy: every refusal path, exit 78, and the token never echoed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import parse_config
from agent.credentials import ApiKey, check_credentials, check_environment, check_key
from agent.errors import CredentialRefused

REPO = Path(__file__).resolve().parents[1]
SECRET_TAIL = "Zq9XrecognisableSecretTail0123456789abcdefghij"
OAT = f"sk-ant-oat01-{SECRET_TAIL}"
GOOD = f"sk-ant-api03-{SECRET_TAIL}"


@pytest.mark.parametrize(("value", "rule"), [
    (OAT, "subscription OAuth token"),
    (OAT.upper(), "subscription OAuth token"),
    (f"  {OAT}\n", "subscription OAuth token"),
    (f"sk-ant-ort01-{SECRET_TAIL}", "refresh token"),
    (f"sk-ant-admin01-{SECRET_TAIL}", "admin key"),
    (json.dumps({"claudeAiOauth": {"accessToken": OAT, "refreshToken": "x"}}), "OAuth login JSON"),
    (json.dumps({"accessToken": SECRET_TAIL}), "OAuth login JSON"),
    (f"sk-proj-{SECRET_TAIL}", "does not start with sk-ant-api"),
    (SECRET_TAIL, "does not start with sk-ant-api"),
])
def test_refused_keys_name_the_rule_without_the_token(value: str, rule: str) -> None:
    with pytest.raises(CredentialRefused, match=rule) as info:
        check_key(value)
    message = str(info.value)
    assert SECRET_TAIL not in message and SECRET_TAIL.lower() not in message.lower()
    assert info.value.exit_code == 78
    assert "sk-ant-api" in message  # it says what to use instead


def test_console_key_accepted_and_masked() -> None:
    key = check_key(f" {GOOD} ")
    assert key.value == GOOD
    for shown in (str(key), repr(key), f"{key}", str([key])):
        assert SECRET_TAIL not in shown and shown.lstrip("[").startswith("sk-ant-api")


def test_escape_hatch_for_new_formats_but_never_for_oauth() -> None:
    assert check_key(f"sk-ant-key04-{SECRET_TAIL}", allow_unrecognised_prefix=True).value
    with pytest.raises(CredentialRefused):
        check_key(OAT, allow_unrecognised_prefix=True)


@pytest.mark.parametrize("name", ["ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN",
                                  "ANTHROPIC_CUSTOM_HEADERS"])
def test_oauth_environment_variables_are_refused(name: str) -> None:
    with pytest.raises(CredentialRefused, match=name) as info:
        check_environment({name: OAT})
    assert SECRET_TAIL not in str(info.value)
    # ... even when a good key is configured
    with pytest.raises(CredentialRefused):
        check_credentials(parse_config({}), {"ANTHROPIC_API_KEY": GOOD, name: OAT})


def test_key_from_environment_and_none_when_absent() -> None:
    config = parse_config({})
    assert check_credentials(config, {"ANTHROPIC_API_KEY": GOOD}) == ApiKey(GOOD)
    assert check_credentials(config, {}) is None


@pytest.mark.parametrize(("mode", "ok"), [(0o600, True), (0o400, True), (0o640, False),
                                          (0o644, False), (0o604, False)])
def test_key_file_must_be_private(tmp_path: Path, mode: int, ok: bool) -> None:
    path = tmp_path / "key"
    path.write_text(GOOD + "\n")
    path.chmod(mode)
    config = parse_config({"anthropic": {"api_key": {"file": str(path)}}})
    if ok:
        assert check_credentials(config, {}) == ApiKey(GOOD)
    else:
        with pytest.raises(CredentialRefused, match="chmod 600") as info:
            check_credentials(config, {})
        assert SECRET_TAIL not in str(info.value)


def test_oauth_token_in_key_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(OAT)
    path.chmod(0o600)
    config = parse_config({"anthropic": {"api_key": {"file": str(path)}}})
    with pytest.raises(CredentialRefused, match="OAuth"):
        check_credentials(config, {})


def test_systemd_credential_wins_and_is_checked(tmp_path: Path) -> None:
    (tmp_path / "anthropic_api_key").write_text(GOOD)
    (tmp_path / "anthropic_api_key").chmod(0o400)
    env = {"CREDENTIALS_DIRECTORY": str(tmp_path), "ANTHROPIC_API_KEY": "sk-ant-api03-other"}
    assert check_credentials(parse_config({}), env) == ApiKey(GOOD)
    (tmp_path / "anthropic_api_key").chmod(0o600)
    (tmp_path / "anthropic_api_key").write_text(OAT)
    with pytest.raises(CredentialRefused):
        check_credentials(parse_config({}), env)


def test_claude_code_credential_files_are_never_read(tmp_path: Path) -> None:
    claude = tmp_path / ".claude"
    claude.mkdir()
    (claude / ".credentials.json").write_text(json.dumps({"claudeAiOauth": {"accessToken": OAT}}))
    (claude / ".credentials.json").chmod(0o600)
    assert check_credentials(parse_config({}), {"HOME": str(tmp_path)}) is None


def _hearth(args: list[str], env: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "PYTHONPATH")}
    return subprocess.run([sys.executable, "-m", "agent.cli.main", *args], cwd=REPO,
                          env={**base, "HOME": str(home), **env}, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize(("env", "rule"), [
    ({"ANTHROPIC_API_KEY": OAT}, "OAuth token"),
    ({"ANTHROPIC_API_KEY": f"sk-ant-admin01-{SECRET_TAIL}"}, "admin key"),
    ({"CLAUDE_CODE_OAUTH_TOKEN": OAT, "ANTHROPIC_API_KEY": GOOD}, "CLAUDE_CODE_OAUTH_TOKEN"),
    ({"ANTHROPIC_AUTH_TOKEN": OAT}, "ANTHROPIC_AUTH_TOKEN"),
])
@pytest.mark.parametrize("command", [["-vv", "config", "check"],
                                     ["ask", "hello", "--tier", "fast", "--dry-run"]])
def test_cli_refuses_with_78_and_never_prints_the_token(
        tmp_path: Path, env: dict[str, str], rule: str, command: list[str]) -> None:
    config = tmp_path / "hearth.toml"
    config.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')
    result = _hearth(["--config", str(config), *command], env, tmp_path)
    assert result.returncode == 78, result.stderr
    assert rule in result.stderr
    output = result.stdout + result.stderr
    assert SECRET_TAIL not in output
    assert SECRET_TAIL[:12] not in output


def test_cli_refuses_group_readable_key_file(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text(GOOD)
    key.chmod(0o644)
    config = tmp_path / "hearth.toml"
    config.write_text(f'[anthropic.api_key]\nfile = "{key}"\n')
    result = _hearth(["--config", str(config), "config", "check"], {}, tmp_path)
    assert result.returncode == 78
    assert "chmod 600" in result.stderr and SECRET_TAIL not in result.stdout + result.stderr
