"""What `hearth spend` and `hearth budget` share: opening the ledger, formatting money."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from agent.config.root import HearthConfig
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.budget import MICROS_PER_USD
from agent.paths import state_dir

T = TypeVar("T")


def usd(micros: int) -> str:
    """µ$ as dollars for people: ``$0.001234``."""
    return f"${micros / MICROS_PER_USD:,.6f}"


def usd_number(micros: int) -> float:
    """µ$ as a JSON/CSV number of dollars (six decimals, exact for any µ$ amount)."""
    return round(micros / MICROS_PER_USD, 6)


def with_ledger(config: HearthConfig, fn: Callable[[Ledger], Awaitable[T]]) -> T:
    """Open the configured database, reconcile orphaned reservations (so a crashed call
    shows as spent), run ``fn`` and close everything."""
    db = Database.open(config.ledger.url, state_dir(config))
    try:
        ledger = Ledger(db, config)

        async def main() -> T:
            await ledger.start()
            return await fn(ledger)

        return asyncio.run(main())
    finally:
        db.close()
