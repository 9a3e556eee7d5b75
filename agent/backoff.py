"""hearth's one back-off: how long to wait before retry number `attempt`.

Used by the MQTT bridge between reconnects and by the router between retries of a cloud
model. Jitter keeps a house full of clients (or a household of daemons) from retrying in
lock-step after a broker restart or a provider outage.
"""

from __future__ import annotations

import random


def backoff(attempt: int, *, base: float, cap: float, jitter: float,
            rng: random.Random | None = None) -> float:
    """``min(cap, base·2^(attempt-1))`` minus a random share of up to `jitter` of it.

    `attempt` counts from 1 (the first retry); `jitter` is in [0, 1): 0.5 is "equal
    jitter" (between half and all of the step), 0.25 takes off at most a quarter. Never
    zero for a positive `base`, never above `cap`.
    """
    if not 0.0 <= jitter < 1.0:
        raise ValueError(f"jitter must be in [0, 1), not {jitter}")
    step = min(cap, base * 2.0 ** max(0, attempt - 1))
    # Timing jitter, not cryptography: the module-level generator is fine.
    share = (rng or random).uniform(0.0, jitter)
    return float(step * (1.0 - share))
