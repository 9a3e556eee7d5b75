"""Turns a request's context parts and earlier turns into plain system text and messages.

Runs after enforcement, so only admitted parts are rendered. Pure and deterministic: the
stable parts go at the end of `system` in label order, so the cached prefix stays
byte-identical between calls; volatile parts go before the last user message's text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the router sits above privacy: its types are only named here
    from agent.privacy.scopes import ContextPart
    from agent.router.types import ModelRequest


def _block(part: ContextPart) -> str:
    return f"<{part.label}>\n{part.text}\n</{part.label}>"


def render(request: ModelRequest) -> ModelRequest:
    """`request` with `context` and `earlier` folded into `system` and `messages`."""
    if not request.context and not request.earlier:
        return request
    stable = sorted((p for p in request.context if p.stable), key=lambda p: p.label)
    volatile = [p for p in request.context if not p.stable]
    system = request.system
    if stable:
        blocks = "\n\n".join(_block(p) for p in stable)
        system = f"{system}\n\n{blocks}" if system else blocks
    messages = [*request.earlier, *request.messages]
    if volatile:
        blocks = "\n\n".join(_block(p) for p in volatile)
        last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last is None:
            raise ValueError(f"skill {request.skill!r}: context parts need a user message")
        messages[last] = replace(messages[last], content=f"{blocks}\n\n{messages[last].content}")
    return replace(request, system=system, messages=tuple(messages), context=(), earlier=())
