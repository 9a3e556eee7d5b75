"""Opening the ledger: the database (migrated), then the ledger over it, closed in reverse."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from agent.config.root import HearthConfig
from agent.db import Database
from agent.ledger import Ledger


class Books(NamedTuple):
    """An open database and the ledger over it."""

    db: Database
    ledger: Ledger


@asynccontextmanager
async def open_ledger(config: HearthConfig, state_dir: Path, *,
                      clock: Callable[[], datetime] | None = None,
                      on_warning: Callable[[str], None] | None = None) -> AsyncIterator[Books]:
    """The ledger over the configured database; the database is closed on exit, also when
    opening the ledger fails."""
    async with AsyncExitStack() as stack:
        # Opening migrates and runs quick_check: blocking work, kept off the event loop.
        db = await asyncio.to_thread(Database.open, config.ledger.url, state_dir)
        stack.callback(db.close)
        ledger = Ledger(db, config, clock=clock, on_warning=on_warning)
        # Only reconciles reservations of dead owners: safe on every (re)open.
        await ledger.start()
        yield Books(db, ledger)
