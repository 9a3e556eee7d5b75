"""`hearth ask` in the user's words: one error line, the documented exit status, no internals."""

from __future__ import annotations

import json
from pathlib import Path

from agent.cli.ask import _action_words
from tests.cli.test_ask_dispatch import _config, _hearth
from tests.support.broker import Broker, free_port


def _no_broker() -> Broker:
    down = Broker.__new__(Broker)  # only host and port are read: nothing listens there
    down.host, down.port = "127.0.0.1", free_port()
    return down


def test_a_question_with_no_model_is_one_error_line_and_exit_69(tmp_path: Path,
                                                                dead_url: str) -> None:
    cfg = _config(tmp_path, _no_broker(), dead_url)
    result = _hearth("--config", str(cfg), "ask", "what is the capital of France")
    assert result.returncode == 69, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "hearth: cannot answer: No local model is answering (Ollama is not reachable (is the "
        "service running?)). Start Ollama, or set [router.skills.dispatcher] allow_cloud = true "
        'to let Claude route requests. (Cues such as "ask Claude" still work.)']
    # The only mention of the chooser is the config key a person can set.
    for internal in ("dispatcher'", "dispatcher ", "WARNING", "skill '"):
        assert internal not in result.stderr
    # --json keeps the structure on stdout and the same exit status.
    as_json = _hearth("--config", str(cfg), "ask", "--json", "what is the capital of France")
    assert as_json.returncode == 69 and json.loads(as_json.stdout)["status"] == "unavailable"


def test_tier_fast_without_a_key_says_the_local_fallback_failed_too(tmp_path: Path,
                                                                    dead_url: str) -> None:
    cfg = _config(tmp_path, _no_broker(), dead_url)
    result = _hearth("--config", str(cfg), "ask", "--tier", "fast", "hi")
    assert result.returncode == 69, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "hearth: no Anthropic API key is configured; cloud tiers are off (tier local also "
        "failed: Ollama is not reachable (is the service running?))"]


def test_an_unlock_is_shown_as_its_message_not_a_dict(tmp_path: Path, dead_url: str) -> None:
    cfg = _config(tmp_path, _no_broker(), dead_url)
    result = _hearth("--config", str(cfg), "ask", "--dry-run", "unlock the front door")
    assert result.returncode == 0, result
    address = f"front_door_{tmp_path.name}"
    assert result.stdout.splitlines() == [
        "Dry run, nothing sent; planned: Front door is unlocked (needs confirmation)",
        "-- skill home, no model, " + result.stdout.splitlines()[1].rsplit(", ", 1)[1],
        f'   front door -> zigbee2mqtt/{address}/set {{"state":"UNLOCK"}} (needs confirmation)']
    assert "{'" not in result.stdout


def test_action_words() -> None:
    pending = {"name": "front door", "topic": "z2m/front_door/set",
               "payload": '{"state":"UNLOCK"}', "needs_confirmation": True,
               "status": "pending", "pending_id": "k3x9"}
    assert _action_words(pending) == ('front door -> z2m/front_door/set {"state":"UNLOCK"} '
                                      "(waits for: hearth confirm k3x9)")
    unplanned = {"device": "lamp", "desired": {"state": "on", "brightness": 40},
                 "topic": None, "status": "planned"}
    assert _action_words(unplanned) == "lamp -> on, brightness 40%"
