"""The one start-up line that says what works now, from the broker and model probes.

Three things an operator asks of a freshly started daemon: will device commands go out,
will questions get an answer, and can Claude be called? Each gets ``yes`` or ``no (why)``;
the reasons name the fix (the host to start, the model to pull, the variable to set).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agent.config import HearthConfig
from agent.router.types import BackendHealth


@dataclass(frozen=True)
class WorksNow:
    """The answers, and the logging level they deserve (WARNING when anything is "no")."""

    line: str
    level: int


def works_now(config: HearthConfig, *, broker_connected: bool,
              health: BackendHealth | None, health_error: str | None = None) -> WorksNow:
    """``works now: device commands yes; questions no (…); Claude no (…)``."""
    mqtt = config.mqtt
    devices = ("yes" if broker_connected else
               f"no (MQTT broker {mqtt.host}:{mqtt.port} unreachable; retrying in the background)")
    if health is None:
        why = health_error or "the model check did not finish"
        questions = claude = f"unknown ({why})"
        bad = True
    else:
        claude_ok, claude_why = _claude(config, health)
        claude = "yes" if claude_ok else f"no ({claude_why})"
        local_ok, local_why = _local(config, health)
        if local_ok:
            questions = "yes"
        elif claude_ok:
            questions = f"yes, through Claude ({local_why})"
        else:
            questions = f"no ({local_why})"
        bad = not (broker_connected and local_ok and claude_ok)
    line = f"works now: device commands {devices}; questions {questions}; Claude {claude}"
    return WorksNow(line, logging.WARNING if bad else logging.INFO)


def _local(config: HearthConfig, health: BackendHealth) -> tuple[bool, str]:
    if not health.ollama_reachable:
        return False, f"Ollama unreachable at {config.ollama.host}"
    if health.local_model is None:
        return False, "no local tier on Ollama is configured"
    if not health.local_model_pulled:
        return False, (f"Ollama has no model {health.local_model}; "
                       f"run: ollama pull {health.local_model}")
    return True, ""


def _claude(config: HearthConfig, health: BackendHealth) -> tuple[bool, str]:
    if not health.anthropic_key_present:
        return False, f"no API key in {config.anthropic.api_key.describe()}"
    if health.anthropic_halted:
        return False, health.anthropic_halted
    return True, ""
