"""porch: a skill built by a setup hook; it reads a device's state and its own spend."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from agent.plugins import Event, Handler, Reply, Services, Skill, SkillDeclaration, TextEvent


class PorchConfig(BaseModel):
    """The `[skills.porch]` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    device: str = "front door"


declaration = SkillDeclaration(
    name="porch",
    description="Says how the front door is and what this skill has spent today.",
    tier="none",  # plain code: no model is ever called
    intents={"PorchStatus": ("porch status",)},
    publishes=("{prefix}/porch",),  # its own topic; never a device's command topic
    config_schema=PorchConfig,
)


def setup(services: Services) -> Handler | None:
    """Runs once at start-up: find the device, or switch the skill off (return None)."""
    config = services.config if isinstance(services.config, PorchConfig) else PorchConfig()
    door = services.devices.resolve(config.device)
    if door is None:
        services.log.warning("porch: no device called %r; the skill is off", config.device)
        return None
    topic = f"{services.household.mqtt.prefix}/porch"

    async def handle(s: Services, event: Event) -> Reply | None:
        if not isinstance(event, TextEvent):
            return None
        state = s.devices.state(door.id)  # the last state the device reported
        said = ", ".join(f"{k} {v}" for k, v in sorted(state.values.items())) if state else (
            "no report yet")
        midnight = s.clock.now().astimezone(s.zone).replace(hour=0, minute=0, second=0,
                                                             microsecond=0)
        spent = await s.spend.spent(midnight, midnight + timedelta(days=1))
        text = (f"{door.name}: {said}. Porch spent ${spent.cost_micros / 1e6:.6f} today "
                f"on {spent.calls} request(s).")
        if not event.dry_run:
            await s.publisher.publish(topic, text, retain=True)
        return Reply(text, {"device": door.id, "state": dict(state.values) if state else None})

    return handle


skill = Skill(declaration, setup=setup)
