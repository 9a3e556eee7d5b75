"""The daemon's own words at start-up: one line of what works, then "ready", and no noise."""

from __future__ import annotations

import logging
import re
import signal
from pathlib import Path

from agent.config import parse_config
from agent.daemon.summary import works_now
from agent.router.types import BackendHealth
from tests.support.broker import Broker, free_port
from tests.support.daemon_proc import DaemonProcess

CONFIG = parse_config({"mqtt": {"host": "10.0.0.2", "port": 1883},
                       "ollama": {"host": "http://127.0.0.1:11434"}})


def _health(*, reachable: bool = True, pulled: bool = True, key: bool = True,
            halted: str | None = None) -> BackendHealth:
    return BackendHealth(ollama_reachable=reachable, ollama_models=(), local_model="llama3.2:3b",
                         local_model_pulled=pulled, anthropic_key_present=key,
                         anthropic_halted=halted)


def test_everything_works_is_one_info_line() -> None:
    summary = works_now(CONFIG, broker_connected=True, health=_health())
    assert summary.level == logging.INFO
    assert summary.line == "works now: device commands yes; questions yes; Claude yes"


def test_no_ollama_and_no_key_says_so_in_one_warning() -> None:
    summary = works_now(CONFIG, broker_connected=True,
                        health=_health(reachable=False, pulled=False, key=False))
    assert summary.level == logging.WARNING
    assert summary.line == (
        "works now: device commands yes; "
        "questions no (Ollama unreachable at http://127.0.0.1:11434); "
        "Claude no (no API key in $ANTHROPIC_API_KEY)")


def test_questions_go_to_claude_when_the_model_is_not_pulled_and_the_broker_is_down() -> None:
    summary = works_now(CONFIG, broker_connected=False, health=_health(pulled=False))
    assert summary.line == (
        "works now: device commands no (MQTT broker 10.0.0.2:1883 unreachable; retrying in the "
        "background); questions yes, through Claude (Ollama has no model llama3.2:3b; run: "
        "ollama pull llama3.2:3b); Claude yes")


def test_a_halted_key_and_a_failed_probe() -> None:
    halted = works_now(CONFIG, broker_connected=True, health=_health(halted="the Claude API "
                       "refused the key (401)"))
    assert halted.line.endswith("Claude no (the Claude API refused the key (401))")
    unknown = works_now(CONFIG, broker_connected=True, health=None, health_error="boom")
    assert unknown.line == ("works now: device commands yes; questions unknown (boom); "
                            "Claude unknown (boom)")


def test_fresh_start_logs_what_works_before_ready(tmp_path: Path, running_broker: Broker,
                                                   state_dir: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[hearth]
state_dir = "{state_dir}"

[mqtt]
host = "{running_broker.host}"
port = {running_broker.port}

[ollama]
host = "http://127.0.0.1:{free_port()}"

[anthropic]
api_key = {{ env = "HEARTH_STARTUP_UNSET_KEY" }}
""")
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.notify.wait_for("READY", "1", timeout=20)
        log = daemon.wait_for_log("hearth is ready", timeout=20)
        lines = log.splitlines()
        works = [i for i, line in enumerate(lines) if "works now:" in line]
        ready = [i for i, line in enumerate(lines) if "hearth is ready" in line]
        assert len(works) == 1 and len(ready) == 1 and works[0] < ready[0], log
        assert re.search(r"WARNING .*works now: device commands yes; questions no \(Ollama "
                         r"unreachable at http://127\.0\.0\.1:\d+\); Claude no \(no API key in "
                         r"\$HEARTH_STARTUP_UNSET_KEY\)$", lines[works[0]]), lines[works[0]]
        # The separate warnings the summary replaces are gone, and so is the library noise.
        for noise in ("Ollama at", "no Anthropic API key", "alembic.runtime.plugins",
                      "Adding job tentatively", "WARNING agent.scheduler",
                      "notifier mqtt skipped"):
            assert noise not in log, noise
        # One line about the skills, after their setup hooks (the config check runs discovery
        # too, and used to log it a second time).
        assert log.count("skills enabled: ") == 1, log
        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    finally:
        daemon.close()
