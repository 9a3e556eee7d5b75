"""The intent matcher: free text to (skill, intent, slots) with no model, via hassil.

`matcher` holds the matcher itself; `normalise` the text clean-up applied before matching.
"""

from agent.intents.hearth import CATCH_ALLS
from agent.intents.matcher import (
    CACHE_SIZE,
    CALLER_LISTS,
    MAX_MATCH_CHARS,
    IntentMatch,
    IntentMatcher,
)

__all__ = ["CACHE_SIZE", "CALLER_LISTS", "CATCH_ALLS", "MAX_MATCH_CHARS", "IntentMatch", "IntentMatcher"]
