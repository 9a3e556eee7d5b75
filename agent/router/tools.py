"""Running the tools a model asked for: granted ones only, failures reported back, not raised.

A model can ask for any tool name it likes (a small model invents them; injected text in a
feed may try). The grant is the skill's list; anything outside it is refused, logged, and
never executed. The model is told it was refused, so it can answer without it.

A batch that reads an untrusted tool (feed text, another skill's output) runs no actuating
tool: what the untrusted text says must never switch the home. Every output is passed
through `redact` (hidden devices) before a model reads it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from agent.router.backend import PendingToolCall
from agent.router.types import ToolCall, ToolResult, ToolSpec

log = logging.getLogger(__name__)

REFUSED_TEXT = "error: tool {name!r} is not available to this skill; it was not run"
TAINTED_TEXT = ("error: tool {name!r} changes the home and was not run: untrusted text is in "
                "this conversation")
MAX_RESULT_CHARS = 8000


async def run_tools(skill: str, calls: Sequence[PendingToolCall],
                    granted: Mapping[str, ToolSpec], *,
                    redact: Callable[[str], str] | None = None,
                    ) -> tuple[list[tuple[PendingToolCall, str, bool]], list[ToolCall]]:
    """Run each granted call in order. Returns (results for the model, record of what ran)."""
    results: list[tuple[PendingToolCall, str, bool]] = []
    record: list[ToolCall] = []
    untrusted = any(s.untrusted for s in (granted.get(c.name) for c in calls) if s is not None)
    for call in calls:
        spec = granted.get(call.name)
        if spec is None or (untrusted and spec.actuates):
            why = "it was not granted" if spec is None else "untrusted text is in the batch"
            log.warning("skill %s: model asked for tool %r; refused (%s)", skill, call.name, why)
            text = (REFUSED_TEXT if spec is None else TAINTED_TEXT).format(name=call.name)
            results.append((call, text, True))
            record.append(ToolCall(call.name, dict(call.arguments), None, refused=True))
            continue
        try:
            result: object = await spec.handler(dict(call.arguments))
        except Exception as exc:  # a failing tool is reported to the model, not fatal
            log.exception("skill %s: tool %s failed", skill, call.name)
            output, failed = f"error: the tool failed ({type(exc).__name__})", True
        else:
            if isinstance(result, ToolResult):
                # The model boundary: the only place a tool result becomes JSON text.
                output, failed = result.for_model(), False
            else:
                log.error("skill %s: tool %s returned %s, not a ToolResult", skill, call.name,
                          type(result).__name__)
                output, failed = "error: the tool failed (it returned no result)", True
        output = output[:MAX_RESULT_CHARS]
        if redact is not None:
            output = redact(output)
        results.append((call, output, failed))
        record.append(ToolCall(call.name, dict(call.arguments), output))
    return results, record
