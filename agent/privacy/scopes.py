"""Data scopes: tags on every piece of context a model request can carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from agent.config.scopes import Scope, ScopePolicy

__all__ = ["ALL_SCOPES", "SCOPES", "ContextPart", "Scope", "ScopePolicy"]

SCOPES: tuple[str, ...] = get_args(Scope)
ALL_SCOPES: frozenset[str] = frozenset(SCOPES)


@dataclass(frozen=True, slots=True)
class ContextPart:
    """One piece of context a skill adds; the router renders it, after enforcement."""

    label: str
    text: str
    scopes: frozenset[str]
    optional: bool = True     # may be dropped for a cloud tier
    # Feed text, another skill's output: the request then gets no actuating tool.
    untrusted: bool = False
    # Changes rarely (home summary): rendered at the end of `system`, inside the cached prefix.
    stable: bool = False
