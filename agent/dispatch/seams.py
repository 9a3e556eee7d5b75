"""What the dispatcher needs from stores it does not own: conversations and learnt commands.

The conversation store (follow-ups) and the command memory (learning) live in their own
packages; the dispatcher sees them only through these protocols, so either can be absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier turn of a conversation (``untrusted``: it carried feed or model text)."""

    role: Literal["user", "assistant"]
    text: str
    untrusted: bool = False


@dataclass(frozen=True, slots=True)
class Recalled:
    """An accepted phrasing: the skill and arguments it resolves to with no model call."""

    id: int
    skill: str
    arguments: Mapping[str, Any]


class Conversations(Protocol):
    """The recent turns of one requester, keyed by e.g. ``mqtt:rt:<topic>``."""

    async def recent(self, key: str) -> tuple[Turn, ...]:
        """Live turns only, oldest first, within the configured bounds."""
        ...

    async def add(self, key: str, text: str, reply: str, *, skill: str | None,
                  untrusted: bool) -> None:
        """Record one exchange (the request and the reply)."""
        ...


class CommandMemory(Protocol):
    """Phrasings a model had to resolve, and the accepted ones that no longer need it."""

    async def recall(self, text: str) -> Recalled | None:
        """The accepted resolution of `text`, if any (accepted phrasings only)."""
        ...

    async def observe(self, text: str, skill: str, arguments: Mapping[str, Any], *,
                      sensitive: bool) -> None:
        """Count one model-resolved command."""
        ...
