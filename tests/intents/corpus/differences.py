"""Corpus sentences where hearth deliberately does something else than Home Assistant.

Each entry: sentence -> the reason (also listed in docs/intents.md). They count neither as
right nor unmatched in the report ("differs"), but a wrong action on one still fails.
"""

from __future__ import annotations

DIFFERENCES: dict[str, str] = {
}
