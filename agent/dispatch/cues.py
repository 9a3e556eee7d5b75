"""Explicit cues: "ask Claude", "think carefully" or a requested tier pick a skill, no model.

A person who says how to answer should not pay a local-model call to be second-guessed.
Matching is on whole words of the normalised text (lower-case, punctuation as spaces), so
"ask claude" matches "Ask Claude: ..." and "could you ask Claude ..." but not "task claude".
A cue at the start is stripped before the skill sees the text ("Ask Claude: compare
tariffs" -> "compare tariffs"); one in the middle stays, since it is part of the sentence.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from agent.plugins.skillset import SkillSet
from agent.router.types import Tier

log = logging.getLogger(__name__)

ASSISTANT = "assistant"
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces; punctuation counts as a space."""
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


@dataclass(frozen=True, slots=True)
class CueMatch:
    """The skill a cue chose, the cue (normalised) and the text the skill gets."""

    skill: str
    cue: str
    text: str


class Cues:
    """The enabled skills' cues, longest first, and the skills a requested tier means."""

    def __init__(self, skills: SkillSet) -> None:
        pairs: list[tuple[str, str]] = []
        deep: list[str] = []
        for name, loaded in sorted(skills.skills.items()):
            declaration = loaded.declaration
            cues = [normalise(c) for c in declaration.cues]
            pairs += [(c, name) for c in cues if c]
            if cues and declaration.tier == "deep":
                deep.append(name)
        # Longest first: "think it through" must win over a shorter cue inside it.
        self._cues = sorted(pairs, key=lambda p: (-len(p[0]), p[0]))
        self.deep = deep[0] if deep else None
        self.local = ASSISTANT if ASSISTANT in skills.skills else None

    def for_tier(self, tier: Tier) -> str | None:
        """The skill a requested tier selects: deep -> the advisor, local -> the assistant."""
        if tier == "deep":
            return self.deep
        if tier == "local":
            return self.local
        return None

    def match(self, text: str) -> CueMatch | None:
        """The first (longest) cue in `text`, as whole words, if any."""
        padded = f" {normalise(text)} "
        for cue, skill in self._cues:
            if f" {cue} " in padded:
                return CueMatch(skill, cue, strip_leading(text, cue))
        return None


def strip_leading(text: str, cue: str) -> str:
    """`text` without `cue` (and the punctuation after it) at its start, if it starts so."""
    words = r"[\W_]+".join(re.escape(w) for w in cue.split())
    found = re.match(rf"[\W_]*{words}(?![^\W_])[\W_]*", text, re.IGNORECASE)
    rest = text[found.end():] if found else text
    return rest.strip() or text.strip()
