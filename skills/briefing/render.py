"""Rendering a briefing: Markdown for reading, a few sentences for a voice satellite."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from agent.notifiers.types import BriefingPart

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def render_markdown(title: str, parts: Sequence[BriefingPart]) -> str:
    """The whole briefing as Markdown (part lines are already escaped by their providers)."""
    out = [f"# {title}", ""]
    for part in parts:
        out += [f"## {part.title}", "", *part.lines, ""]
    return "\n".join(out).rstrip() + "\n"


def render_spoken(local: datetime, parts: Sequence[BriefingPart], max_words: int) -> str:
    """A short plain-text briefing of at most `max_words` words, cut at a sentence end."""
    greeting = "Good morning." if local.hour < 12 else "Hello."
    text = " ".join([greeting, *(p.spoken.strip() for p in parts if p.spoken.strip())])
    words = text.split()
    if len(words) <= max_words:
        return text
    cut = " ".join(words[:max_words])
    sentences = _SENTENCE_END.split(cut)
    # Keep whole sentences when there is more than the greeting; else cut mid-sentence.
    if len(sentences) > 2:
        return " ".join(sentences[:-1])
    return cut.rstrip(",;:") + "…"
