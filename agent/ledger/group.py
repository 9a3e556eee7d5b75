"""Group commit: rows that hold no reservation share one transaction.

Every tier-none device command writes a $0 row. With `synchronous=FULL` each commit costs an
fsync (a few ms on an SD card), which would cap device commands at a few hundred a second.
Callers still wait until their row is durable; rows that arrive while a transaction is in
flight simply ride the next one, so nothing is lost and nothing is delayed on purpose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Rows per transaction at most: bounds the time one transaction holds the write lock.
MAX_BATCH = 256


class GroupWriter(Generic[T, R]):
    """Hands queued items to `write` in batches; each caller gets its own result."""

    def __init__(self, write: Callable[[list[T]], Awaitable[list[R]]]) -> None:
        self._write = write
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Queue `item` and wait until the transaction holding it has committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="ledger-group-commit")
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                results = await self._write([item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001 - every waiting caller gets the error
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
