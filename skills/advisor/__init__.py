"""The `advisor` skill: requests that need reasoning, on the deep tier (Claude).

Plans, comparisons, step-by-step explanations, and analysis of the home's history and
spending, with read-only context tools only (it can never switch a device). The dispatcher
offers it to the local model, and explicit cues ("ask Claude", "think carefully", `--tier
deep`) select it with no model call. Its own budget is `[budget.per_skill.advisor]`; when
that is spent (or Claude is unreachable) the dispatcher hands the request to `assistant`
and says so in one sentence.
"""

from __future__ import annotations

from agent.plugins.contract import Handler, Skill, SkillDeclaration
from agent.plugins.services import Services

DECLARATION = SkillDeclaration(
    name="advisor",
    description=("Think a request through on a stronger model: plans over days, comparisons, "
                 "step-by-step explanations, or analysing the home's history or spending over "
                 "days or weeks."),
    tier="deep",
    fallback=(),
    tools=("home_summary", "device_states", "state_history", "spend_status"),
    arguments_schema={"type": "object", "properties": {}},
    cloud_scopes=("utterance", "conversation", "devices", "states", "history", "spend"),
    scope_policy="drop",
    cues=("ask claude", "think carefully", "think hard", "think it through"),
    fallback_skill="assistant",
)


def setup(services: Services) -> Handler:
    """The handler, over a desk built from this runtime's services."""
    from skills.advisor.desk import desk_for

    return desk_for(services).handle


skill = Skill(DECLARATION, setup=setup)

__all__ = ["DECLARATION", "setup", "skill"]
