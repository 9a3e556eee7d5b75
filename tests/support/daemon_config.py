"""The config text a test daemon (or in-process core) runs on: its state directory, the
test broker, an Ollama nobody listens on, and no Anthropic key."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.broker import Broker, free_port

# Never set: the daemon finds no key and runs with the cloud tiers off.
UNSET_KEY_VAR = "HEARTH_TEST_UNSET_KEY"


def daemon_config(state_dir: Path, broker: Broker, prefix: str, *, hearth: str = "",
                  extra: str = "") -> str:
    """The [hearth]/[mqtt]/[ollama]/[anthropic] sections; `hearth` adds lines to [hearth]
    (e.g. `log_level = "INFO"`), `extra` appends whole sections."""
    assert UNSET_KEY_VAR not in os.environ, f"{UNSET_KEY_VAR} must stay unset"
    return f"""
[hearth]
state_dir = "{state_dir}"
{hearth}

[mqtt]
host = "{broker.host}"
port = {broker.port}
prefix = "{prefix}"

[ollama]
host = "http://127.0.0.1:{free_port()}"

[anthropic]
api_key = {{ env = "{UNSET_KEY_VAR}" }}
{extra}"""


def topic_device(name: str, kind: str, command_topic: str) -> str:
    """A `[[devices]]` entry on plain topics: LOCK/UNLOCK for a lock, ON/OFF otherwise."""
    on, off = ("LOCK", "UNLOCK") if kind == "lock" else ("ON", "OFF")
    return f"""
[[devices]]
name = "{name}"
kind = "{kind}"
protocol = "topic"
command_topic = "{command_topic}"
payload_on = "{on}"
payload_off = "{off}"
"""
