"""The names of data scopes and scope policies, shared by `[privacy]` and `[router.skills.*]`."""

from __future__ import annotations

from typing import Literal

# The kinds of household data a model request can carry. A Literal, so a typo in the config
# fails with its dotted path and the allowed names.
Scope = Literal["utterance", "devices", "states", "history", "news", "lists", "spend", "conversation"]
# What a cloud request carrying a scope that is not allowed does: drop the optional context
# that carries it, move on to the local tier, or refuse with a message.
ScopePolicy = Literal["drop", "local", "refuse"]
