"""hello: the example skill of docs/skills.md, loaded by the tests exactly as shown there."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agent.plugins import (
    ActionEvent,
    Event,
    MqttEvent,
    Reply,
    ScheduleEvent,
    ScheduleSpec,
    Skill,
    SkillContext,
    SkillDeclaration,
    TextEvent,
)


class HelloConfig(BaseModel):
    """The `[skills.hello]` section, beside the common keys (enabled, timeout, ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    greeting: str = Field("Hello", min_length=1, max_length=40)


declaration = SkillDeclaration(
    name="hello",
    description="Greets a person by name.",
    tier="none",  # plain code: no model is ever called
    intents={"HelloGreet": ("(say hello | greet) [to] {person}",)},
    topics=("home/doorbell/pressed",),
    schedules=(ScheduleSpec(name="morning", cron="0 8 * * *"),),
    config_schema=HelloConfig,
    arguments_schema={
        "type": "object",
        "properties": {"person": {"type": "string", "minLength": 1, "maxLength": 40}},
        "required": ["person"],
    },
)


async def handle(ctx: SkillContext, event: Event) -> Reply | None:
    """Greet whoever the event names; the doorbell and the morning schedule greet too."""
    config = ctx.config if isinstance(ctx.config, HelloConfig) else HelloConfig()
    match event:
        case TextEvent(slots=slots, arguments=arguments):
            # From the intent matcher the name is a slot; from the local dispatcher, an argument.
            person = str(slots.get("person") or arguments.get("person") or "there")
            return Reply(f"{config.greeting}, {person}!", {"person": person})
        case MqttEvent(topic=topic):
            ctx.log.info("doorbell on %s", topic)
            return Reply(f"{config.greeting}, whoever is at the door!")
        case ScheduleEvent(job=job):
            return Reply(f"{config.greeting}, good morning ({job}).")
        case ActionEvent(action="greet", args=args):
            return Reply(f"{config.greeting}, {args.get('person', 'there')}!")
    return None


skill = Skill(declaration, handle)
