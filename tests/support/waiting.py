"""Waiting for something to become true in async tests: a deadline, not a speed assertion."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


async def until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `check()` (real time) until it is truthy and return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"not true within {timeout} s: {check}")
