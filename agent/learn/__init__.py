"""Learning: phrasings the model resolved to device commands, accepted to run at tier 0."""

from agent.learn.phrases import normalise
from agent.learn.store import Learned, LearnStore, UnknownLearned

__all__ = ["LearnStore", "Learned", "UnknownLearned", "normalise"]
