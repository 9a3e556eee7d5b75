"""The typed container of everything one configuration built."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.config import HearthConfig
from agent.daemon.component import Component
from agent.daemon.summary import WorksNow


@dataclass
class Runtime:
    """Components built by the wiring function for one config, plus live status sources."""

    config: HearthConfig
    state_dir: Path
    components: list[Component] = field(default_factory=list)
    # What the build opened (the core: database, ledger, router, skills), closed last.
    stack: AsyncExitStack = field(default_factory=AsyncExitStack)
    # Short fragments for systemd's STATUS= line, e.g. "broker connected".
    status_parts: list[Callable[[], str]] = field(default_factory=list)
    # Checks that run once after READY (broker, models); `summary` then says what works.
    probes: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    summary: Callable[[], WorksNow] | None = None
    # Live state for `hearth status`, keyed by section name.
    status_sources: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = field(default_factory=dict)

    def status_line(self) -> str:
        """One line for `systemctl status`."""
        parts = []
        for part in self.status_parts:
            try:
                parts.append(part())
            except Exception as exc:  # noqa: BLE001 - a status fragment must never stop the daemon
                parts.append(f"status error: {type(exc).__name__}")
        return "; ".join(p for p in parts if p) or "running"
