"""One normal form for a request's words, so a learnt phrasing matches however it was typed.

`observe` and `recall` both go through `normalise`: lower-case, punctuation to spaces,
whitespace collapsed, a leading "please"/"hey hearth" and a trailing "please" dropped.
"""

from __future__ import annotations

import re

MAX_PHRASE_CHARS = 300

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_LEADING = ("hey hearth ", "please ")
_TRAILING = " please"


def normalise(text: str) -> str:
    """`text` in the form learnt phrasings are stored and looked up in ("" if nothing left)."""
    phrase = _SPACE.sub(" ", _PUNCT.sub(" ", text.lower().replace("_", " "))).strip()
    changed = True
    while changed:
        changed = False
        for lead in _LEADING:
            if phrase.startswith(lead):
                phrase, changed = phrase[len(lead):], True
    if phrase.endswith(_TRAILING):
        phrase = phrase[: -len(_TRAILING)]
    return phrase.strip()
