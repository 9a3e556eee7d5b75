"""Words and numbers for people: money, plurals and "did you mean".

Standard library only, so skills and every command can import it cheaply.

Money has exactly two forms:

* **For people** (``money``): whole cents from one cent up, with thousands separators
  (``$1,234.57``, rounded half up); below one cent the exact amount, trailing zeros dropped
  (``$0.00123``; the ledger counts micro-dollars, so that is at most four significant digits);
  ``$0.00`` for nothing.
* **For programs** (``usd_value``): a JSON number of US dollars, at most six decimals (exact to
  the micro-dollar), under a key ending ``_usd``; ``null`` when there is no amount (an uncapped
  cap). Never a string.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

MICROS_PER_USD = 1_000_000
_CENT_MICROS = 10_000


def money(micros: int) -> str:
    """Micro-dollars as people read them: ``$0.00``, ``$0.009999``, ``$1,234.57``, ``-$0.02``."""
    sign = "-" if micros < 0 else ""
    size = abs(micros)
    dollars = Decimal(size) / MICROS_PER_USD
    if size == 0 or size >= _CENT_MICROS:
        text = f"{dollars.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    else:
        # Below a cent, rounding to cents would print $0.00 for a real charge: show it exactly.
        text = f"{dollars:.6f}".rstrip("0")
    return f"{sign}${text}"


def usd_value(micros: int) -> float:
    """Micro-dollars as the JSON number of dollars (six decimals, exact for any µ$ amount)."""
    return round(micros / MICROS_PER_USD, 6)


def usd_or_none(micros: int | None) -> float | None:
    """``usd_value``, or None (JSON ``null``) when there is no amount."""
    return None if micros is None else usd_value(micros)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 call``, ``2 calls``, ``0 calls``; `many` for irregular words (``1 entry``/``entries``)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped `word` (difflib, similarity >= 0.6), or None."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` for a near miss, else empty (ready to append to a message)."""
    best = nearest(word, choices)
    return f" (did you mean `{best}`?)" if best else ""
