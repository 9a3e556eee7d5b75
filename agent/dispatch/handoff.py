"""The one-hop handoff: a skill whose budget is spent (or whose model is unreachable) hands
the same request to its declared `fallback_skill`, and the reply says so in one sentence.

Never silent (the person learns why the answer is shorter) and never chained (the fallback's
own failure is reported as it is).
"""

from __future__ import annotations

from dataclasses import replace

from agent.dispatch.result import DispatchResult
from agent.errors import BudgetExceeded, ModelUnavailable
from agent.plugins.contract import Reply, SkillDeclaration


def handoff_reason(result: DispatchResult) -> BudgetExceeded | ModelUnavailable | None:
    """The cause that allows a handoff (a spent budget, an unreachable model), if any."""
    if result.status != "failed" or result.error is None:
        return None
    cause = result.error.__cause__
    return cause if isinstance(cause, (BudgetExceeded, ModelUnavailable)) else None


def notice(declaration: SkillDeclaration, fallback: str,
           reason: BudgetExceeded | ModelUnavailable) -> str:
    """The sentence put before the fallback's answer."""
    if isinstance(reason, BudgetExceeded):
        return (f"The {declaration.name}'s budget is used up for now, so here is a quicker "
                f"answer from the {fallback}.")
    model = "Claude" if declaration.tier in ("fast", "deep") else f"The {declaration.name}'s model"
    return f"{model} is unreachable right now, so here is a quicker answer from the {fallback}."


def handed_over(first: DispatchResult, second: DispatchResult, sentence: str) -> DispatchResult:
    """The fallback's result, with the notice before its text and where it came from."""
    if second.reply is None:
        return replace(second, route=first.route)
    data = {**second.reply.data, "handoff_from": first.skill}
    text = f"{sentence} {second.reply.text}".strip()
    return replace(second, route=first.route, reply=Reply(text, data),
                   ledger_ids=first.ledger_ids + second.ledger_ids)
