"""Judging an answer before its ledger row is written: tool round, valid, or needs escalation.

The outcome goes on the row (OK, ESCALATED when a tier up will retry, ERROR when nothing
will), so the verdict must be reached before `settle`, not after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.errors import ModelResponseInvalid
from agent.ledger.types import Outcome
from agent.router.backend import BackendReply
from agent.router.schema import parse_structured
from agent.router.types import ModelRequest, ModelResponse


@dataclass
class Verdict:
    """Callable judge for one tier's calls; keeps the parsed structured output it found."""

    request: ModelRequest
    backend: str
    tool_rounds: int                     # router.max_tool_iterations
    can_escalate: bool
    # Builds the provisional response a skill's validator looks at.
    provisional: Callable[[BackendReply, Any], ModelResponse]
    iteration: int = 0
    parsed: Any = None

    def __call__(self, reply: BackendReply) -> tuple[Outcome, ModelResponseInvalid | None]:
        """The row's outcome, and the problem to act on (None: carry on)."""
        if reply.tool_calls:
            if self.iteration < self.tool_rounds:
                return Outcome.OK, None
            return Outcome.ERROR, ModelResponseInvalid(
                f"the model still wanted tools after {self.tool_rounds} rounds",
                backend=self.backend)
        problem = self._problem(reply)
        if problem is None:
            return Outcome.OK, None
        return (Outcome.ESCALATED if self.can_escalate else Outcome.ERROR), problem

    def _problem(self, reply: BackendReply) -> ModelResponseInvalid | None:
        schema = self.request.output_schema
        try:
            self.parsed = parse_structured(reply.text, schema, backend=self.backend) \
                if schema is not None else None
        except ModelResponseInvalid as exc:
            return exc
        if self.request.validator is None:
            return None
        reason = self.request.validator(self.provisional(reply, self.parsed))
        if reason is None:
            return None
        return ModelResponseInvalid(f"validator: {reason}", backend=self.backend)
