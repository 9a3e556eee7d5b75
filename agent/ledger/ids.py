"""Sortable unique ids for ledger rows (ULID layout: 48-bit ms time + 80 random bits).

Monotonic within a process: two ids made in the same millisecond still sort in the order
they were made, so rows written by one clock tick list in call order.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_lock = threading.Lock()
_last = 0


def new_id(now: datetime) -> str:
    """A 26-character id that sorts by creation time (to the millisecond), then order."""
    global _last  # noqa: PLW0603 - the one piece of state monotonicity needs
    value = (int(now.timestamp() * 1000) << 80) | secrets.randbits(80)
    with _lock:
        if value >> 80 == _last >> 80 and value <= _last:
            value = _last + 1
        _last = value
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
