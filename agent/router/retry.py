"""Retry timing: exponential backoff with jitter, and the server's own retry-after hints."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait the server asked for: ``retry-after-ms``, then ``retry-after`` (seconds or an
    HTTP date). None when absent or unreadable."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_seconds(attempt: int, *, base: float, cap: float,
                    rng: random.Random | None = None) -> float:
    """Delay before retry number `attempt` (1 = first retry): base·2^(n-1), capped, minus up
    to 25% jitter so a household of daemons does not retry in lockstep."""
    raw = min(cap, base * (2 ** max(0, attempt - 1)))
    # Timing jitter, not cryptography: the module-level generator is fine.
    jitter = (rng or random).uniform(0.75, 1.0)
    return float(raw * jitter)
