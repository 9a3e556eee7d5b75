"""What the daemon starts and stops: components, in stages."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable


class Stage(enum.IntEnum):
    """Shutdown order (ascending); start-up runs in the reverse order.

    Intake stops first so no new work arrives while in-flight work drains; storage is
    flushed before connections close so the last ledger rows are safe on disk.
    """

    INTAKE = 0       # control socket, scheduler, MQTT subscriptions
    WORK = 1         # dispatcher: drain in-flight skill runs
    STORAGE = 2      # ledger and database: flush and close
    CONNECTIONS = 3  # MQTT bridge (publishes offline), model clients


@runtime_checkable
class Component(Protocol):
    """A long-lived part of the daemon."""

    name: str
    stage: Stage

    async def start(self) -> None:
        """Begin work; must not block on an unreachable peer (retry in the background)."""
        ...

    async def stop(self) -> None:
        """Finish or abandon work; the daemon bounds this with the stage's timeout."""
        ...


@runtime_checkable
class HealthReporter(Protocol):
    """A component whose internal liveness gates the systemd watchdog ping."""

    def alive(self) -> bool:
        """False only for internal failure (a dead thread), never for a peer's outage."""
        ...


class CallbackComponent:
    """A component made of two coroutine functions; handy for wiring small pieces."""

    def __init__(
        self,
        name: str,
        stage: Stage,
        start: Callable[[], Awaitable[None]] | None = None,
        stop: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self.stage = stage
        self._start = start
        self._stop = stop

    async def start(self) -> None:
        """Run the start callback, if any."""
        if self._start is not None:
            await self._start()

    async def stop(self) -> None:
        """Run the stop callback, if any."""
        if self._stop is not None:
            await self._stop()
