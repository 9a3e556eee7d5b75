"""A component that fails to start: the ones started before it are stopped, newest first, and
what the build opened is closed; the error reaches the caller with its exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import HearthConfig
from agent.daemon.component import CallbackComponent, Stage
from agent.daemon.lifecycle import Daemon
from agent.daemon.notify import Notifier
from agent.daemon.runtime import Runtime
from agent.daemon.status import DaemonInfo
from agent.errors import EX_SOFTWARE, StartupError


async def test_a_failure_starting_the_third_component_stops_the_first_two(
        state_dir: Path) -> None:
    events: list[str] = []
    built: list[Runtime] = []

    def component(name: str, stage: Stage, *, fail: bool = False) -> CallbackComponent:
        async def start() -> None:
            events.append(f"start {name}")
            if fail:
                raise StartupError(f"{name} cannot start")

        async def stop() -> None:
            events.append(f"stop {name}")

        return CallbackComponent(name, stage, start, stop)

    async def build(config: HearthConfig, directory: Path, info: DaemonInfo) -> Runtime:
        runtime = Runtime(config=config, state_dir=directory)

        async def close_core() -> None:
            events.append("close core")

        runtime.stack.push_async_callback(close_core)
        runtime.components = [component("a", Stage.CONNECTIONS), component("b", Stage.STORAGE),
                              component("c", Stage.WORK, fail=True),
                              component("d", Stage.INTAKE)]
        built.append(runtime)
        return runtime

    config = HearthConfig.model_validate({"hearth": {"state_dir": str(state_dir)}})
    daemon = Daemon(None, config, state_dir, build, Notifier())
    with pytest.raises(StartupError, match="c cannot start") as info:
        await daemon.run()
    assert info.value.exit_code == EX_SOFTWARE
    assert events == ["start a", "start b", "start c", "stop b", "stop a", "close core"]
    assert daemon.runtime is None
    # The stack is closed: closing it again runs nothing more.
    await built[0].stack.aclose()
    assert events[-1] == "close core" and events.count("close core") == 1
