"""`hearth notify test`: one line per entry, exit 1 when any failed, no secret printed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.cli.main import main
from tests.support.push_server import PushServer

CANARY = "tk_CliCanaryNotify5521xyz"


@pytest.fixture
def servers() -> Iterator[tuple[PushServer, PushServer]]:
    good, bad = PushServer().start(), PushServer(["fail"] * 5, fail_body=CANARY).start()
    yield good, bad
    good.stop()
    bad.stop()


def _config(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n\n{entries}')
    return path


def _entries(good: PushServer, bad: PushServer) -> str:
    return (
        '[[notify]]\nname = "phone"\n'
        f'url = "ntfy://{{token}}@127.0.0.1:{good.port}/hearth"\n'
        'secrets = { token = { env = "HEARTH_CLI_TEST_TOKEN" } }\n\n'
        '[[notify]]\nname = "hook"\n'
        f'url = "json://hearth:{{token}}@127.0.0.1:{bad.port}/hook"\n'
        'secrets = { token = { env = "HEARTH_CLI_TEST_TOKEN" } }\n')


async def test_each_entry_reports_and_a_failure_exits_1(
        tmp_path: Path, servers: tuple[PushServer, PushServer],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HEARTH_CLI_TEST_TOKEN", CANARY)
    good, bad = servers
    path = _config(tmp_path, _entries(good, bad))
    code = await asyncio.to_thread(main, ["-v", "--config", str(path), "notify", "test"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "phone (ntfy): ok"
    assert lines[1].startswith("hook (json): failed: ")
    assert "error=500" in lines[1]
    assert CANARY not in out + err
    assert good.requests[0].body["title"] == "hearth test"


async def test_one_entry_by_name_as_json(
        tmp_path: Path, servers: tuple[PushServer, PushServer],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HEARTH_CLI_TEST_TOKEN", CANARY)
    good, bad = servers
    path = _config(tmp_path, _entries(good, bad))
    code = await asyncio.to_thread(main, ["--config", str(path), "notify", "test", "phone",
                                          "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out) == [{"name": "phone", "service": "ntfy", "ok": True, "error": None}]
    assert bad.requests == []


def test_an_unknown_name_or_no_entry_is_said_plainly(
        tmp_path: Path, servers: tuple[PushServer, PushServer],
        capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = servers
    path = _config(tmp_path, _entries(good, bad))
    assert main(["--config", str(path), "notify", "test", "tablet"]) == 1
    err = capsys.readouterr().err
    assert "no enabled [[notify]] entry named 'tablet' (configured: phone, hook)" in err
    empty = _config(tmp_path, "")
    assert main(["--config", str(empty), "notify", "test"]) == 1
    assert "no [[notify]] entry is configured" in capsys.readouterr().err
    assert good.requests == bad.requests == []
