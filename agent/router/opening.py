"""Opening the model side: the ledger (and its database), the router, the batch client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agent.config.root import HearthConfig
from agent.credentials import ApiKey
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.opening import open_ledger
from agent.router.batches import BatchClient
from agent.router.core import Router


@dataclass(frozen=True, slots=True)
class Models:
    """What `open_router` opened, in opening order."""

    db: Database
    ledger: Ledger
    router: Router
    # The Anthropic Batches client; None without an API key.
    batches: BatchClient | None


@asynccontextmanager
async def open_router(config: HearthConfig, state_dir: Path, *, api_key: ApiKey | None,
                      clock: Callable[[], datetime] | None = None,
                      on_warning: Callable[[str], None] | None = None
                      ) -> AsyncIterator[Models]:
    """Database, ledger, router and batch client; each closed on exit, in reverse order, and
    whatever opened before a failure is closed too."""
    async with AsyncExitStack() as stack:
        books = await stack.enter_async_context(
            open_ledger(config, state_dir, clock=clock, on_warning=on_warning))
        router = Router(config, books.ledger, api_key=api_key, clock=clock)
        stack.push_async_callback(router.aclose)
        batches = None
        if api_key is not None:
            batches = BatchClient(config.anthropic, api_key)
            stack.push_async_callback(batches.aclose)
        yield Models(books.db, books.ledger, router, batches)
