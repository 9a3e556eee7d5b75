"""The `assistant` skill: short answers, small talk and questions about the home right now.

It runs on the local model (falling back to `fast` where the household allows cloud), with
read-only context tools (devices, states, history, news, spend) and the home skill's
`set_device_state` for a person's own request. A request carrying news or other untrusted
text gets no actuating tool. It is what the dispatcher picks for everyday questions, and
what answers when the advisor's budget is spent.
"""

from __future__ import annotations

from agent.plugins.contract import Handler, Skill, SkillDeclaration
from agent.plugins.services import Services

DECLARATION = SkillDeclaration(
    name="assistant",
    description=("Answer a question or chat: simple facts, conversions, recipes, short advice, "
                 "small talk, and questions about the home right now (which lights are on, "
                 "temperatures, what hearth spent)."),
    tier="local",
    fallback=("fast",),
    tools=("home_summary", "device_states", "state_history", "news_today", "spend_status",
           "set_device_state"),
    arguments_schema={"type": "object", "properties": {}},
    cloud_scopes=("utterance", "conversation", "devices", "states", "lists", "spend", "news"),
    scope_policy="drop",
)


def setup(services: Services) -> Handler:
    """The handler, over a desk built from this runtime's services."""
    from skills.assistant.desk import desk_for

    return desk_for(services).handle


skill = Skill(DECLARATION, setup=setup)

__all__ = ["DECLARATION", "setup", "skill"]
