"""Text clean-up before matching.

hassil already ignores case and sentence punctuation when matching, and a wildcard slot
(a timer's name, a list item) must keep the speaker's spelling, so the text keeps both;
only surrounding and repeated white space go, so "turn on  the lamp " shares a cache entry.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """`text` with runs of white space collapsed to one space and the ends stripped."""
    return _SPACES.sub(" ", text).strip()
