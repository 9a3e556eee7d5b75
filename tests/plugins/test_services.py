"""The Services contract: a skill gets only what it declared, and cannot widen it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.daemon.core import open_core
from agent.errors import SkillError
from agent.ledger.types import CallRecord, Outcome, Usage
from agent.plugins import Event, Reply, Skill, SkillDeclaration
from agent.plugins.services import Services
from tests.support.skill_points import points


class RecordingBridge:
    """A bridge that keeps what was published."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bool]] = []

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Nothing to receive here."""

    async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                      retain: bool = False) -> None:
        self.sent.append((topic, payload if isinstance(payload, bytes) else payload.encode(),
                          retain))


async def _handle(services: Services, event: Event) -> Reply:
    return Reply("ok")


porch = Skill(SkillDeclaration(name="porch", description="Watches the porch.", tier="none",
                               publishes=("{prefix}/porch/#", "zigbee2mqtt/#"),
                               tools=("set_device_state",)), _handle)
quiet = Skill(SkillDeclaration(name="quiet", description="Declares nothing.", tier="none"),
              _handle)


def household(state_dir: Path) -> HearthConfig:
    return HearthConfig.model_validate({
        "hearth": {"state_dir": str(state_dir)},
        "mqtt": {"prefix": "casa"},
        "devices": [{"name": "porch light", "kind": "light", "protocol": "zigbee2mqtt",
                     "address": "porch_light", "area": "outside"}],
    })


@pytest.fixture
async def opened(state_dir: Path) -> Any:
    bridge = RecordingBridge()
    async with open_core(household(state_dir), state_dir, bridge=bridge, api_key=None,
                         entry_points=points(porch, quiet)) as core:
        yield core, bridge


async def test_the_publisher_sends_only_on_declared_topics(opened: Any) -> None:
    core, bridge = opened
    services = core.dispatcher.context("porch")
    await services.publisher.publish("casa/porch/motion", "seen", retain=True)
    assert bridge.sent == [("casa/porch/motion", b"seen", True)]
    with pytest.raises(SkillError, match="not in its declared `publishes`"):
        await services.publisher.publish("casa/kitchen/motion", "seen")
    with pytest.raises(SkillError, match="may not publish"):
        await core.dispatcher.context("quiet").publisher.publish("casa/porch/motion", "x")
    assert len(bridge.sent) == 1


async def test_the_publisher_never_commands_a_device(opened: Any) -> None:
    core, bridge = opened
    services = core.dispatcher.context("porch")
    # "zigbee2mqtt/#" is declared, yet the light's command topic stays out of reach.
    with pytest.raises(SkillError, match="commands a device"):
        await services.publisher.publish("zigbee2mqtt/porch_light/set", '{"state": "ON"}')
    assert bridge.sent == []


async def test_tools_hold_only_what_was_declared(opened: Any) -> None:
    core, _ = opened
    assert set(core.dispatcher.context("porch").tools) == {"set_device_state"}
    assert dict(core.dispatcher.context("quiet").tools) == {}


async def test_devices_are_readable(opened: Any) -> None:
    core, _ = opened
    devices = core.dispatcher.context("porch").devices
    light = devices.resolve("porch light")
    assert light is not None and light.area == "outside"
    assert devices.state(light.id) is None  # it never reported
    assert devices.areas() == ["outside"]


async def test_spend_is_the_skills_own_and_rows_are_pinned_to_it(opened: Any) -> None:
    core, _ = opened
    services = core.dispatcher.context("porch")
    row = CallRecord(skill="porch", trigger="test", tier_requested="none", tier_used="none",
                     backend="none", model_requested="", model_used="", usage=Usage(),
                     outcome=Outcome.OK, latency_ms=1)
    await services.spend.settle(None, row)
    with pytest.raises(SkillError, match="may not write a ledger row for 'quiet'"):
        await services.spend.settle(None, dataclasses.replace(row, skill="quiet"))
    now = datetime.now(UTC)
    mine = await services.spend.spent(now - timedelta(hours=1), now + timedelta(hours=1))
    assert (mine.name, mine.calls) == ("porch", 1)
    theirs = await core.dispatcher.context("quiet").spend.spent(now - timedelta(hours=1),
                                                                 now + timedelta(hours=1))
    assert (theirs.name, theirs.calls, theirs.cost_micros) == ("quiet", 0, 0)


async def test_services_are_frozen(opened: Any) -> None:
    core, _ = opened
    services = core.dispatcher.context("porch")
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.tools = core.tools.granted(porch.declaration)  # type: ignore[misc]
    with pytest.raises(TypeError):
        services.tools["publish_anything"] = services.tools["set_device_state"]  # type: ignore[index]


async def test_storage_is_a_private_directory(opened: Any, state_dir: Path) -> None:
    core, _ = opened
    directory = core.dispatcher.context("porch").storage.directory
    assert directory == state_dir / "skills" / "porch"
    assert directory.is_dir() and (directory.stat().st_mode & 0o777) == 0o700


def test_a_bad_publishes_filter_stops_start_up() -> None:
    from agent.errors import StartupError
    from agent.plugins import discover

    bad = Skill(SkillDeclaration(name="bad", description="Bad filter.", tier="none",
                                 publishes=("{prefix}/a/#/b",)), _handle)
    with pytest.raises(StartupError, match=r"bad: publishes '\{prefix\}/a/#/b'"):
        discover(HearthConfig(), entry_points=points(bad))
