"""The one function that builds every client and component and hands each what it needs."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from agent.config import HearthConfig
from agent.daemon.runtime import Runtime

log = logging.getLogger(__name__)


async def _tcp_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def build_runtime(config: HearthConfig, state_dir: Path) -> Runtime:
    """Build (not start) everything one configuration describes."""
    runtime = Runtime(config=config, state_dir=state_dir)

    async def probe_broker() -> None:
        if not await _tcp_reachable(config.mqtt.host, config.mqtt.port):
            log.warning("MQTT broker %s:%d unreachable: device commands, MQTT requests and "
                        "briefing delivery wait for it (retrying in the background); schedules, "
                        "the ledger and `hearth ask` still work",
                        config.mqtt.host, config.mqtt.port)

    runtime.probes.append(probe_broker)
    return runtime
