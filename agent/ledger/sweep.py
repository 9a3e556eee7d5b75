"""The running daemon's sweep: reservations nobody will settle stop holding the budget.

`Ledger.start` reconciles once; a process killed later (a `hearth ask` hit by SIGKILL, a
second daemon on a shared PostgreSQL ledger) would otherwise hold its worst case against
the caps until the next restart. The sweep runs `Ledger.reconcile(dead_owners=True)` every
``ledger.sweep_interval_seconds``: holders that are dead on this host (pid gone, pid reused,
earlier boot) and holds older than ``ledger.orphan_after_minutes`` (any host) count as spent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from agent.words import plural

if TYPE_CHECKING:
    from agent.ledger import Ledger

log = logging.getLogger(__name__)


class ReservationSweeper:
    """Reconciles the ledger periodically in a background task."""

    name = "ledger-sweep"

    def __init__(self, ledger: Ledger, interval: float) -> None:
        self._ledger = ledger
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while the background task is alive."""
        return self._task is not None and not self._task.done()

    async def sweep(self) -> int:
        """One pass; how many reservations became spend."""
        return await self._ledger.reconcile(dead_owners=True)

    async def start(self) -> None:
        """Start sweeping in the background (the first pass after one interval: `start`
        of the ledger has just reconciled)."""
        if not self.running:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Stop sweeping."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                count = await self.sweep()
            except Exception:
                # A locked or unreachable database now must not end the sweeping for good.
                log.exception("reservation sweep failed; trying again in %.0f s",
                              self._interval)
                continue
            if count:
                log.warning("reservation sweep: %s of dead or stale calls counted as spent",
                            plural(count, "reservation"))
