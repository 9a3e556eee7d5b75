"""chime: a third-party skill that rings on a sentence, an MQTT topic or a named action."""

from __future__ import annotations

from agent.plugins import (
    ActionEvent,
    Event,
    MqttEvent,
    Reply,
    Skill,
    SkillContext,
    SkillDeclaration,
    TextEvent,
)

declaration = SkillDeclaration(
    name="chime",
    description="Rings the door chime a number of times.",
    tier="none",
    intents={"ChimeRing": ("ring the (chime | bell)",)},
    topics=("chime/ring",),
    arguments_schema={
        "type": "object",
        "properties": {"times": {"type": "integer", "minimum": 1, "maximum": 5}},
    },
)


async def handle(ctx: SkillContext, event: Event) -> Reply | None:
    """Answer with as many dings as asked for (one by default)."""
    times = 1
    if isinstance(event, TextEvent):
        times = int(event.arguments.get("times", 1))
    elif isinstance(event, ActionEvent):
        times = int(event.args.get("times", 1))
    elif isinstance(event, MqttEvent):
        times = len(event.payload) or 1
    return Reply(" ".join(["ding"] * min(times, 5)), {"times": times})


skill = Skill(declaration, handle)
