"""What `hearth spend`, `budget` and `skills` share: opening the ledger for one command.

Money is formatted by agent.words (money for people, usd_value for JSON)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from agent.config.root import HearthConfig
from agent.ledger import Ledger
from agent.paths import state_dir

T = TypeVar("T")


def with_ledger(config: HearthConfig, fn: Callable[[Ledger], Awaitable[T]]) -> T:
    """Open the configured database and the ledger (reconciling orphaned reservations, so
    a crashed call shows as spent), run ``fn`` and close everything."""
    from agent.ledger.opening import open_ledger

    async def main() -> T:
        async with open_ledger(config, state_dir(config)) as books:
            return await fn(books.ledger)

    return asyncio.run(main())
