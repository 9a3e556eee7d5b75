"""Live state for `hearth status`, systemd's STATUS= line and Home Assistant's sensors."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent import __version__
from agent.control.status import ClaudeState, claude_section
from agent.daemon.core import Core
from agent.mqtt.bridge import MqttBridge
from agent.mqtt.ha_discovery import HearthSensors
from agent.router.types import BackendHealth
from agent.words import usd_or_none, usd_value


@dataclass
class DaemonInfo:
    """What the lifecycle knows about itself, shared with the status handler."""

    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_monotonic: float = field(default_factory=time.monotonic)
    state: str = "starting"

    def header(self) -> dict[str, Any]:
        """The status reply's first fields."""
        return {"version": __version__, "pid": os.getpid(), "state": self.state,
                "started_at": self.started_at.isoformat(),
                "uptime_seconds": round(time.monotonic() - self.started_monotonic, 1)}


class StatusBoard:
    """Collects each section of the status reply from the live parts."""

    def __init__(self, core: Core, bridge: MqttBridge) -> None:
        self.core = core
        self.bridge = bridge
        self.health: BackendHealth | None = None
        self.health_error: str | None = None
        self._refreshing: asyncio.Future[BackendHealth] | None = None
        self.broker_since: datetime | None = None
        self.in_flight: Any = None  # set by the wiring: a callable returning the dispatch depth

    async def broker(self) -> dict[str, Any]:
        """Broker connection state."""
        cfg = self.core.config.mqtt
        return {"connected": self.bridge.connected, "host": cfg.host, "port": cfg.port,
                "since": self.broker_since.isoformat() if self.broker_since else None,
                "last_error": None}

    async def refresh_health(self) -> BackendHealth:
        """Ask the router how the model backends are (no paid call)."""
        # `status` asks for the ollama and claude sections at once: one probe serves both.
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self.core.router.health())
        self.health = await asyncio.shield(self._refreshing)
        return self.health

    async def ollama(self) -> dict[str, Any]:
        """Whether Ollama answered the last probe."""
        health = await self.refresh_health()
        problems = [p for p in health.problems if p.startswith("ollama")]
        return {"reachable": health.ollama_reachable, "host": self.core.config.ollama.host,
                "last_error": "; ".join(problems) or None}

    async def claude(self) -> dict[str, Any]:
        """Whether Claude is usable: a key, no halt, and how the last paid call went."""
        health = await self.refresh_health()
        state: ClaudeState = claude_section(key_present=health.anthropic_key_present,
                                            halted=health.anthropic_halted,
                                            last_call_at=health.anthropic_last_call_at,
                                            last_call_ok=health.anthropic_last_call_ok)
        return dict(state)

    async def queues(self) -> dict[str, Any]:
        """Inbound MQTT queue and dispatch work in flight."""
        stats = self.bridge.stats
        depth = self.in_flight() if callable(self.in_flight) else 0
        return {
            "mqtt_inbound": {"depth": stats.queue_depth,
                             "capacity": self.core.config.mqtt.queue_size,
                             "dropped": stats.dropped_full + stats.dropped_oversize
                             + stats.dropped_malformed},
            "dispatch": {"depth": depth, "capacity": None, "dropped": 0},
        }

    async def skills(self) -> dict[str, Any]:
        """Each skill's runs and errors since start-up."""
        stats = self.core.dispatcher.stats
        out: dict[str, Any] = {}
        for name, loaded in self.core.dispatcher.skills.skills.items():
            s = stats.get(name)
            out[name] = {"tier": loaded.tier, "runs": s.calls if s else 0,
                         "errors": (s.failed + s.timeouts) if s else 0, "last_run": None,
                         "last_ok": None if not s or not s.calls else s.last_error is None,
                         "last_error": s.last_error if s else None}
        return out

    async def spend(self) -> dict[str, Any]:
        """Today's and this month's spend against the global caps."""
        ledger = self.core.ledger
        day = await ledger.spend_between(*ledger.period_bounds("day"))
        month = await ledger.spend_between(*ledger.period_bounds("month"))
        caps = {(c.period): c for c in await ledger.budget_status() if c.name == "global"}
        daily, monthly = caps.get("day"), caps.get("month")
        return {"today_usd": usd_value(day.cost_micros), "month_usd": usd_value(month.cost_micros),
                "daily_cap_usd": usd_or_none(daily.cap_micros) if daily else None,
                "daily_left_usd": usd_or_none(daily.left_micros) if daily else None,
                "monthly_cap_usd": usd_or_none(monthly.cap_micros) if monthly else None,
                "monthly_left_usd": usd_or_none(monthly.left_micros) if monthly else None}

    async def questions(self) -> dict[str, Any]:
        """Which tiers can answer questions now, and what the advisor may still spend today."""
        from agent.control.questions import question_tiers

        health = self.health or await self.refresh_health()
        left = next((c.left_micros for c in await self.core.ledger.budget_status()
                     if c.name == "skill:advisor" and c.period == "day"), None)
        return question_tiers(self.core.config,
                              ollama_ok=health.ollama_reachable and health.local_model_pulled,
                              key_present=health.anthropic_key_present,
                              cloud_halted=health.anthropic_halted, advisor_left_micros=left)

    async def sensors(self) -> HearthSensors:
        """Values for Home Assistant's sensors."""
        spend = await self.spend()
        left = spend["daily_left_usd"]
        # The file notifier's latest.md is the one trace every delivered briefing leaves.
        latest = self.core.state_dir / "briefings" / "latest.md"
        last = (datetime.fromtimestamp(latest.stat().st_mtime, UTC) if latest.exists()
                else None)
        return HearthSensors(spend_today_usd=spend["today_usd"],
                             spend_month_usd=spend["month_usd"],
                             budget_left_usd=left,
                             last_briefing=last)

    def line(self) -> str:
        """The STATUS= line."""
        broker = "broker connected" if self.bridge.connected else "broker unreachable"
        parts = [broker]
        if self.health is not None:
            parts.append("ollama up" if self.health.ollama_reachable else "ollama down")
            if not self.health.anthropic_key_present:
                parts.append("no API key (cloud off)")
            elif self.health.anthropic_halted:
                parts.append("cloud halted")
        return ", ".join(parts)
