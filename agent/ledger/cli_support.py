"""What `hearth spend` and `hearth budget` share: opening the ledger, formatting money."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from agent.config.root import HearthConfig
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
    """Open the configured database and the ledger (reconciling orphaned reservations, so
    a crashed call shows as spent), run ``fn`` and close everything."""
    from agent.ledger.opening import open_ledger

    async def main() -> T:
        async with open_ledger(config, state_dir(config)) as books:
            return await fn(books.ledger)

    return asyncio.run(main())
