"""What the router asks of a backend adapter, and the plain data adapters hand back.

An adapter (Anthropic, Ollama) owns its SDK client and its native message format. The router
owns everything around one call: tiers, budget reservations, retries, the tool loop. So an
adapter only turns a `CallSpec` plus its own conversation into one SDK call, and translates
every foreign exception into hearth's errors, once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent.ledger.types import Usage
from agent.router.types import CacheTtl, ModelRequest, ToolSpec

# Streaming callers receive text pieces as they arrive.
OnText = Callable[[str], Awaitable[None]]



@dataclass(frozen=True, slots=True)
class CallSpec:
    """Everything about one model call except the conversation itself."""

    model: str
    max_tokens: int
    system: str
    tools: Sequence[ToolSpec]
    output_schema: Mapping[str, Any] | None
    cache_ttl: CacheTtl
    effort: str | None
    thinking: bool
    timeout: float


@dataclass(frozen=True, slots=True)
class PendingToolCall:
    """A tool the model asked for; the router decides whether it runs."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BackendReply:
    """One model call's answer, in backend-neutral terms.

    ``assistant_turn`` is the backend's own message to append when the tool loop continues.
    """

    text: str
    tool_calls: tuple[PendingToolCall, ...]
    usage: Usage
    model_used: str
    stop_reason: str
    assistant_turn: Any = None
    raw_usage: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """One model API behind the router."""

    name: str

    def conversation(self, request: ModelRequest) -> list[Any]:
        """The request's messages in the backend's native format."""
        ...

    def body(self, spec: CallSpec, conversation: list[Any]) -> dict[str, Any]:
        """The request body `send` would send (the ledger records its size)."""
        ...

    async def send(self, spec: CallSpec, conversation: list[Any],
                   on_text: OnText | None = None) -> BackendReply:
        """Make one call. Raises only hearth errors (ModelError subclasses)."""
        ...

    def tool_turns(self, reply: BackendReply,
                   results: Sequence[tuple[PendingToolCall, str, bool]]) -> list[Any]:
        """Native messages that carry the assistant turn and the tool results back."""
        ...

    async def aclose(self) -> None:
        """Close the SDK client."""
        ...
