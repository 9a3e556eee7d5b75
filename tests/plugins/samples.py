"""Skills the discovery tests load through real `EntryPoint` objects (module:attr strings)."""

from __future__ import annotations

from dataclasses import replace

from agent.plugins import Event, Reply, Skill, SkillContext, SkillDeclaration
from tests.plugins.example_skill import declaration as hello_declaration


async def _reply(ctx: SkillContext, event: Event) -> Reply:
    return Reply(f"{ctx.name} got {type(event).__name__}")


def _sync_handler(ctx: SkillContext, event: Event) -> Reply:
    return Reply("sync")


# Same topic as the example skill ("hello" subscribes to home/doorbell/pressed).
doorbell = Skill(SkillDeclaration(name="doorbell", description="Rings.", tier="none",
                                  topics=("home/doorbell/pressed",)), _reply)
# Same intent name as the example skill.
greeter = Skill(SkillDeclaration(name="greeter", description="Also greets.", tier="none",
                                 intents={"HelloGreet": ("hi {person}",)}), _reply)
# Same skill name as the example, from another package.
hello_again = Skill(replace(hello_declaration, topics=(), intents={}), _reply)
weather = Skill(SkillDeclaration(name="weather", description="Tells the weather.", tier="local",
                                 allow_cloud=False,
                                 arguments_schema={"type": "object", "properties": {}}), _reply)
not_a_skill = {"name": "oops"}


def make_weather() -> Skill:
    """A factory entry point: discovery calls it with no arguments."""
    return weather


sync_skill = Skill(SkillDeclaration(name="syncy", description="Not async.", tier="none"),
                   _sync_handler)  # type: ignore[arg-type]
bad_topic = Skill(SkillDeclaration(name="badtopic", description="Bad.", tier="none",
                                   topics=("home/#/x", "a+/b")), _reply)
bad_template = Skill(SkillDeclaration(name="badtemplate", description="Bad.", tier="none",
                                      intents={"Broken": ("turn on (the light",)}), _reply)
bad_schema = Skill(SkillDeclaration(name="badschema", description="Bad.", tier="none",
                                    arguments_schema={"type": "object",
                                                      "patternProperties": {}}), _reply)
cloud_but_local_only = Skill(SkillDeclaration(name="cloudy", description="Bad.", tier="deep",
                                              allow_cloud=False), _reply)
