"""`hearth status` end to end: the real CLI against a ControlServer holding live state."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
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
            "spend": {"today_usd": 0.042, "daily_cap_usd": 1.0,
                      "daily_left_usd": 0.958, "month_usd": 3.1,
                      "monthly_cap_usd": None, "monthly_left_usd": None},
            "claude": {"key_present": True, "usable": True, "halted": None,
                       "last_call_at": "2026-11-24T21:50:00+00:00", "last_call_ok": True},
        }
        return dict(reply)


@pytest.fixture
def berlin() -> Iterator[None]:
    """The CLI shows the daemon's UTC times in local time: make local time Berlin (UTC+1)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


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


async def test_status_shows_live_state(config_file: Path, berlin: None,
                                       capsys: pytest.CaptureFixture[str]) -> None:
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
    assert "news [fast]: last run 2026-11-24 08:00 FAILED, 1 run, 1 error; " \
           "last error: feed timed out" in first
    assert "home [none]: last run never, 0 runs, 0 errors" in first
    assert "claude: usable (last call accepted 2026-11-24 22:50)" in first
    assert "spend today: $0.04 of $1.00 ($0.96 left)" in first
    assert "spend this month: $3.10 (no cap)" in first
    assert "broker: DISCONNECTED (127.0.0.1:1883) since 2026-11-24 19:00: " \
           "connection refused" in second
    assert "mqtt_inbound: 250/1000" in second
    assert "2 runs" in second
    assert as_json["skills"]["news"]["runs"] == 2
    assert as_json["queues"]["mqtt_inbound"]["depth"] == 250
    assert as_json["spend"]["today_usd"] == 0.042
    assert as_json["spend"]["monthly_cap_usd"] is None


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
    assert "spend today: $1.00 (no cap)" in text
    assert "claude: ? (this daemon does not report it)" in text
    assert "spend this month: ? (no cap)" in text


def test_the_phone_chat_and_the_notification_services_get_their_lines() -> None:
    reply = {"telegram": {"state": "offline", "bot": "@hearth_bot", "chats": [1, 2],
                          "messages": 3, "approved": 1, "denied": 0, "refused_chats": 2,
                          "last_error": "network: connection refused"},
             "notify": {"services": [
                 {"name": "phone", "service": "ntfys", "delivered": 4, "failed": 0,
                  "queued": 0, "held": 0, "last_error": None},
                 {"name": "hook", "service": "json", "delivered": 1, "failed": 2,
                  "queued": 1, "held": 3, "last_error": "HTTP 500"}]}}
    lines = render_status(reply).splitlines()
    assert ("telegram: offline as @hearth_bot, 2 allowed chats, 3 messages, 1 approved / "
            "0 denied, 2 strangers ignored; last error: network: connection refused") in lines
    assert "  phone (ntfys): 4 delivered, 0 failed" in lines
    assert "  hook (json): 1 delivered, 2 failed, 1 queued, 3 held; last failure: HTTP 500" in lines
    # A daemon without them shows neither.
    plain = render_status({})
    assert "telegram" not in plain and "notify" not in plain


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


def test_status_page_golden(berlin: None) -> None:
    reply = {"version": "1.2", "pid": 9, "state": "running", "uptime_seconds": 61,
             "broker": {"connected": True, "host": "h", "port": 1883,
                        "since": "2026-12-01T20:00:00+00:00", "last_error": None},
             "ollama": {"reachable": False, "host": "http://localhost:11434",
                        "last_error": "ollama: Ollama is not reachable at "
                                      "http://localhost:11434; ollama: model not pulled"},
             "claude": {"key_present": False, "usable": False, "halted": None,
                        "last_call_at": None, "last_call_ok": None},
             "spend": {"today_usd": 0.0, "daily_cap_usd": 1.0, "daily_left_usd": 1.0,
                       "month_usd": 1234.567, "monthly_cap_usd": None,
                       "monthly_left_usd": None}}
    assert render_status(reply) == (
        "hearth 1.2 (pid 9): running, up 1m\n"
        "broker: connected (h:1883) since 2026-12-01 21:00\n"
        "ollama: UNREACHABLE (http://localhost:11434): Ollama is not reachable at "
        "http://localhost:11434; model not pulled\n"
        "claude: not usable: no API key\n"
        "spend today: $0.00 of $1.00 ($1.00 left)\n"
        "spend this month: $1,234.57 (no cap)"
    )


@pytest.mark.parametrize(("claude", "line"), [
    ({"key_present": True, "usable": True, "halted": None, "last_call_at": None,
      "last_call_ok": None}, "claude: key present, not used yet"),
    ({"key_present": True, "usable": False, "halted": "anthropic: the API key was refused",
      "last_call_at": "2026-12-01T20:00:00+00:00", "last_call_ok": False},
     "claude: not usable: the API key was refused"),
    ({"key_present": True, "usable": True, "halted": None,
      "last_call_at": "2026-12-01T20:00:00+00:00", "last_call_ok": False},
     "claude: key present, but the last call failed (2026-12-01 21:00)"),
    ({"error": "no answer within 2 s"}, "claude: ? (status unavailable: no answer within 2 s)"),
])
def test_claude_line(berlin: None, claude: dict[str, Any], line: str) -> None:
    assert line in render_status({"claude": claude}).splitlines()


def test_claude_section_from_the_routers_view(berlin: None) -> None:
    from datetime import UTC, datetime

    from agent.control.status import claude_section

    none = claude_section(key_present=False, halted=None)
    assert none == {"key_present": False, "usable": False, "halted": None,
                    "last_call_at": None, "last_call_ok": None}
    halted = claude_section(key_present=True, halted="the API key was refused (401)")
    assert halted["usable"] is False
    ok = claude_section(key_present=True, halted=None,
                        last_call_at=datetime(2026, 12, 1, 20, 50, tzinfo=UTC), last_call_ok=True)
    assert json.loads(json.dumps(ok))["usable"] is True
    assert "claude: usable (last call accepted 2026-12-01 21:50)" in render_status({"claude": ok})
