"""`hearth status` end to end: the real CLI against a ControlServer holding live state."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from agent.cli.main import main
from agent.control import ControlServer, collect_status, render_status
from agent.control.status import StatusReply, format_duration


class LiveState:
    """Stands in for the daemon's state: it changes between two `hearth status` calls."""

    def __init__(self) -> None:
        self.started = time.monotonic() - 3725
        self.broker_up = True
        self.inbound = 3
        self.runs = 1

    async def status(self, args: dict[str, Any]) -> dict[str, Any]:
        reply: StatusReply = {
            "version": "0.1.0",
            "pid": 4242,
            "state": "running",
            "started_at": "2026-11-24T18:00:00+00:00",
            "uptime_seconds": time.monotonic() - self.started,
            "broker": {"connected": self.broker_up, "host": "127.0.0.1", "port": 1883,
                       "since": "2026-11-24T18:00:01+00:00",
                       "last_error": None if self.broker_up else "connection refused"},
            "ollama": {"reachable": False, "host": "http://localhost:11434",
                       "last_error": "connection refused"},
            "queues": {"mqtt_inbound": {"depth": self.inbound, "capacity": 1000, "dropped": 7}},
            "skills": {
                "news": {"tier": "fast", "runs": self.runs, "errors": 1,
                         "last_run": "2026-11-24T07:00:00+00:00", "last_ok": False,
                         "last_error": "feed timed out"},
                "home": {"tier": "none", "runs": 0, "errors": 0, "last_run": None,
                         "last_ok": None, "last_error": None},
            },
            "spend": {"today_usd": "0.0420", "daily_cap_usd": "1.00",
                      "daily_left_usd": "0.9580", "month_usd": "3.10",
                      "monthly_cap_usd": None, "monthly_left_usd": None},
        }
        return dict(reply)


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    monkeypatch.delenv("HEARTH_CONFIG", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')
    return cfg


async def _cli(*argv: str) -> int:
    # main() runs its own event loop, so it runs in a thread beside the test's loop.
    return await asyncio.to_thread(main, list(argv))


async def test_status_shows_live_state(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = LiveState()
    server = ControlServer(config_file.parent / "state" / "control.sock", {"status": state.status})
    await server.start()
    try:
        assert await _cli("--config", str(config_file), "status") == 0
        first = capsys.readouterr().out
        state.broker_up = False
        state.inbound = 250
        state.runs = 2
        assert await _cli("--config", str(config_file), "status") == 0
        second = capsys.readouterr().out
        assert await _cli("--config", str(config_file), "status", "--json") == 0
        as_json = json.loads(capsys.readouterr().out)
    finally:
        await server.stop()
    assert "hearth 0.1.0 (pid 4242): running, up 1h 2m" in first
    assert "broker: connected (127.0.0.1:1883)" in first
    assert "ollama: UNREACHABLE (http://localhost:11434): connection refused" in first
    assert "mqtt_inbound: 3/1000, 7 dropped" in first
    assert "news [fast]: last run 2026-11-24T07:00:00+00:00 FAILED, 1 runs, 1 errors; " \
           "last error: feed timed out" in first
    assert "home [none]: last run never, 0 runs" in first
    assert "spend today: $0.0420 of $1.00, $0.9580 left" in first
    assert "spend this month: $3.10 (no cap)" in first
    assert "broker: DISCONNECTED (127.0.0.1:1883) since 2026-11-24T18:00:01+00:00: " \
           "connection refused" in second
    assert "mqtt_inbound: 250/1000" in second
    assert "2 runs" in second
    assert as_json["skills"]["news"]["runs"] == 2
    assert as_json["queues"]["mqtt_inbound"]["depth"] == 250


async def test_status_without_daemon_says_so(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await _cli("--config", str(config_file), "status")
    err = capsys.readouterr().err
    assert code == 69
    sock = config_file.parent / "state" / "control.sock"
    assert f"hearth: no hearth daemon is running (no socket at {sock})" in err


async def test_status_reports_a_refusing_daemon(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def broken(args: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("state not ready")

    server = ControlServer(config_file.parent / "state" / "control.sock", {"status": broken})
    await server.start()
    try:
        code = await _cli("--config", str(config_file), "status")
    finally:
        await server.stop()
    assert code == 70
    assert "refused 'status': internal error in 'status'" in capsys.readouterr().err


def test_render_tolerates_missing_and_odd_keys() -> None:
    text = render_status({"version": "9.9", "skills": ["junk", {"name": "x"}],  # list form
                          "queues": {"q": "junk"}, "spend": {"today_usd": "1"}})
    assert text.splitlines()[0] == "hearth 9.9 (pid ?): ?, up ?"
    assert "broker: ?" in text
    assert "ollama: ?" in text
    assert "q: ?" in text
    assert "x [?]: last run never, 0 runs, 0 errors" in text
    assert "spend today: $1 (no cap)" in text
    assert "spend this month: ? (no cap)" in text


def test_ollama_not_probed_yet_is_not_an_outage() -> None:
    text = render_status({"ollama": {"reachable": None, "host": "h", "last_error": None}})
    assert "ollama: not checked yet (h)" in text


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0s"), (59.9, "59s"), (60, "1m"), (3725, "1h 2m"), (90061, "1d 1h 1m"), (86400, "1d 0h 0m"),
])
def test_format_duration(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


async def test_collect_status_isolates_broken_and_slow_sources() -> None:
    async def broker() -> dict[str, Any]:
        return {"connected": True, "host": "h", "port": 1, "since": None, "last_error": None}

    async def spend() -> dict[str, Any]:
        raise RuntimeError("ledger locked")

    async def skills() -> dict[str, Any]:
        await asyncio.sleep(30)
        return {}

    reply = await collect_status({"version": "1", "pid": 7},
                                 {"broker": broker, "spend": spend, "skills": skills},
                                 timeout=0.3)
    assert reply["version"] == "1" and reply["pid"] == 7
    assert reply["broker"]["connected"] is True
    assert reply["spend"] == {"error": "RuntimeError: ledger locked"}
    assert reply["skills"] == {"error": "no answer within 0.3 s"}
    text = render_status(reply)
    assert "broker: connected (h:1)" in text
    assert "spend: ? (status unavailable: RuntimeError: ledger locked)" in text
    assert "skills: ? (status unavailable: no answer within 0.3 s)" in text


async def test_status_over_the_socket_from_status_sources(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The daemon's wiring: a header plus Runtime.status_sources, through collect_status.
    inbound = {"depth": 0}

    async def queues() -> dict[str, Any]:
        return {"mqtt_inbound": {"depth": inbound["depth"], "capacity": 10, "dropped": 0}}

    async def status(args: dict[str, Any]) -> dict[str, Any]:
        return await collect_status({"version": "0.1.0", "pid": 1, "state": "running",
                                     "uptime_seconds": 5}, {"queues": queues})

    server = ControlServer(config_file.parent / "state" / "control.sock", {"status": status})
    await server.start()
    try:
        inbound["depth"] = 4
        assert await _cli("--config", str(config_file), "status") == 0
    finally:
        await server.stop()
    assert "mqtt_inbound: 4/10" in capsys.readouterr().out
