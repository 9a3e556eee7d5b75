"""Home Assistant MQTT discovery of hearth itself: spend and budget sensors.

Four sensors (spend today, spend this month, budget left, last briefing) share one state
topic, `<prefix>/sensors`, and hearth's availability topic `<prefix>/status`. Configs are
retained, and published again whenever Home Assistant announces `online` on
`<discovery_prefix>/status` (after a short random delay, as HA asks, so a house of
devices does not answer at the same instant).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent import __version__
from agent.config import HearthConfig
from agent.mqtt.outbound import OutboundMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HearthSensors:
    """The values hearth reports to Home Assistant; money in US dollars."""

    spend_today_usd: float
    spend_month_usd: float
    budget_left_usd: float | None = None
    last_briefing: datetime | None = None


# (object id, name, value key, unit, device class, icon)
_SENSORS = (
    ("spend_today", "Spend today", "spend_today", "USD", "monetary", "mdi:cash"),
    ("spend_month", "Spend this month", "spend_month", "USD", "monetary", "mdi:cash-multiple"),
    ("budget_left", "Budget left", "budget_left", "USD", "monetary", "mdi:wallet"),
    ("last_briefing", "Last briefing", "last_briefing", None, "timestamp", "mdi:newspaper"),
)


def node_id(config: HearthConfig) -> str:
    """A discovery-safe id for this hearth (HA allows `[a-zA-Z0-9_-]`)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", config.mqtt.prefix)


def discovery_messages(config: HearthConfig) -> list[OutboundMessage]:
    """One retained config per sensor, all attached to one "hearth" device."""
    node = node_id(config)
    prefix = config.mqtt.prefix
    device = {"ids": [f"hearth_{node}"], "name": "hearth", "mf": "hearth",
              "mdl": "home agent", "sw": __version__}
    out: list[OutboundMessage] = []
    for object_id, name, key, unit, device_class, icon in _SENSORS:
        doc: dict[str, Any] = {
            "name": name,
            "uniq_id": f"hearth_{node}_{object_id}",
            "obj_id": f"hearth_{object_id}",
            "stat_t": f"{prefix}/sensors",
            "val_tpl": f"{{{{ value_json.{key} }}}}",
            "avty_t": f"{prefix}/status",
            "pl_avail": "online",
            "pl_not_avail": "offline",
            "dev_cla": device_class,
            "ic": icon,
            "dev": device,
            "o": {"name": "hearth", "sw": __version__},
        }
        if unit:
            doc["unit_of_meas"] = unit
        if device_class == "monetary":
            doc["stat_cla"] = "total"
        topic = f"{config.mqtt.discovery_prefix}/sensor/{node}/{object_id}/config"
        out.append(OutboundMessage(topic, json.dumps(doc, separators=(",", ":")), retain=True))
    return out


def state_message(config: HearthConfig, sensors: HearthSensors) -> OutboundMessage:
    """The shared, retained state document."""
    doc = {
        "spend_today": round(sensors.spend_today_usd, 6),
        "spend_month": round(sensors.spend_month_usd, 6),
        "budget_left": (round(sensors.budget_left_usd, 6)
                        if sensors.budget_left_usd is not None else None),
        "last_briefing": sensors.last_briefing.isoformat() if sensors.last_briefing else None,
    }
    return OutboundMessage(f"{config.mqtt.prefix}/sensors",
                           json.dumps(doc, separators=(",", ":")), retain=True)


class HaDiscovery:
    """Announces hearth's sensors and keeps them announced across HA restarts."""

    def __init__(self, config: HearthConfig, bridge: Any,
                 sensors: Callable[[], Awaitable[HearthSensors]], *,
                 rejoin_delay: tuple[float, float] = (0.5, 3.0)) -> None:
        self.config = config
        self.bridge = bridge
        self.sensors = sensors
        self.rejoin_delay = rejoin_delay
        self.birth_topic = f"{config.mqtt.discovery_prefix}/status"
        self._rejoin: asyncio.Task[None] | None = None

    def topics(self) -> list[str]:
        """Subscribe to these (Home Assistant's birth and will)."""
        return [self.birth_topic]

    async def announce(self) -> None:
        """Publish every sensor config, then the current state."""
        for message in discovery_messages(self.config):
            await message.send(self.bridge)
        await self.publish_state()

    async def publish_state(self) -> None:
        """Publish the sensors' current values (call after each model call or briefing)."""
        await state_message(self.config, await self.sensors()).send(self.bridge)

    async def handle_message(self, topic: str, payload: bytes) -> bool:
        """React to HA's birth message; True when `topic` was HA's status topic."""
        if topic != self.birth_topic:
            return False
        if payload.strip() == b"online" and (self._rejoin is None or self._rejoin.done()):
            self._rejoin = asyncio.create_task(self._announce_later(), name="ha-rediscovery")
        return True

    async def _announce_later(self) -> None:
        await asyncio.sleep(random.uniform(*self.rejoin_delay))  # noqa: S311 - spread, not secrecy
        try:
            await self.announce()
        except Exception:
            # A broker hiccup here must not kill the task silently; the next birth retries.
            log.exception("re-announcing hearth to Home Assistant failed")
