"""Running the tools a model asked for: granted ones only, failures reported back, not raised.

A model can ask for any tool name it likes (a small model invents them; injected text in a
feed may try). The grant is the skill's list; anything outside it is refused, logged, and
never executed. The model is told it was refused, so it can answer without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from agent.router.backend import PendingToolCall
from agent.router.types import ToolCall, ToolResult, ToolSpec

log = logging.getLogger(__name__)

REFUSED_TEXT = "error: tool {name!r} is not available to this skill; it was not run"
MAX_RESULT_CHARS = 8000


async def run_tools(skill: str, calls: Sequence[PendingToolCall],
                    granted: Mapping[str, ToolSpec]
                    ) -> tuple[list[tuple[PendingToolCall, str, bool]], list[ToolCall]]:
    """Run each granted call in order. Returns (results for the model, record of what ran)."""
    results: list[tuple[PendingToolCall, str, bool]] = []
    record: list[ToolCall] = []
    for call in calls:
        spec = granted.get(call.name)
        if spec is None:
            log.warning("skill %s: model asked for tool %r, which it was not granted; refused",
                        skill, call.name)
            text = REFUSED_TEXT.format(name=call.name)
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
        results.append((call, output, failed))
        record.append(ToolCall(call.name, dict(call.arguments), output))
    return results, record
