"""The one function that builds every client and component and hands each what it needs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from agent.config import HearthConfig
from agent.control import ControlServer, collect_status, socket_path
from agent.control.ask import ASK_TIMEOUT, ask_handler
from agent.credentials import check_credentials
from agent.daemon.chat import add_push, add_telegram
from agent.daemon.component import CallbackComponent, Stage
from agent.daemon.core import Core, open_core
from agent.daemon.inbound import Inbound
from agent.daemon.runtime import Runtime
from agent.daemon.status import DaemonInfo, StatusBoard
from agent.daemon.summary import works_now
from agent.errors import HearthError, SkillError
from agent.ledger.sweep import ReservationSweeper
from agent.mqtt.bridge import MqttBridge
from agent.mqtt.ha_discovery import HaDiscovery
from agent.scheduler import Scheduler, configured_jobs

log = logging.getLogger(__name__)

# Seconds between Home Assistant sensor refreshes; spend changes slowly and the Pi is small.
SENSOR_INTERVAL = 300.0
# How long the start-up summary waits for the broker's first connection.
BROKER_PROBE_SECONDS = 2.0

AsyncFn = Callable[[], Awaitable[None]]


async def build_runtime(config: HearthConfig, state_dir: Path, info: DaemonInfo) -> Runtime:
    """Build (not start) everything one configuration describes."""
    # No key is not an error here: the start-up summary line says what that leaves working.
    api_key = check_credentials(config)
    bridge = MqttBridge(config)
    loop = asyncio.get_running_loop()
    warnings: set[asyncio.Task[None]] = set()

    def on_budget_warning(message: str) -> None:
        # Called from the ledger's worker thread or the loop; publish from the loop.
        async def send() -> None:
            with contextlib.suppress(HearthError):
                await bridge.publish(f"{config.mqtt.prefix}/budget/warning", message)

        def spawn() -> None:
            task = asyncio.ensure_future(send())
            warnings.add(task)
            task.add_done_callback(warnings.discard)

        loop.call_soon_threadsafe(spawn)

    runtime = Runtime(config=config, state_dir=state_dir)
    try:
        core = await runtime.stack.enter_async_context(open_core(
            config, state_dir, bridge=bridge, api_key=api_key,
            on_budget_warning=on_budget_warning))
        _assemble(runtime, core, bridge, info)
    except BaseException:
        await runtime.stack.aclose()
        raise
    return runtime


def _assemble(runtime: Runtime, core: Core, bridge: MqttBridge, info: DaemonInfo) -> None:
    """The components over an open core."""
    config = core.config
    board = StatusBoard(core, bridge)
    ha = HaDiscovery(config, bridge, board.sensors)
    inbound = Inbound(core, bridge, ha)
    board.in_flight = lambda: inbound.in_flight
    bridge.on_message = inbound.on_message
    scheduler = _scheduler(core)
    control = ControlServer(socket_path(config), {
        "status": lambda _args: collect_status(info.header(), runtime.status_sources),
        "ask": ask_handler(core.dispatcher, core.conversations),
        **core.home.control_handlers(),
    }, timeouts={"ask": ASK_TIMEOUT})

    sweeper = ReservationSweeper(core.ledger, config.ledger.sweep_interval_seconds)
    stages = config.hearth.shutdown_timeout / len(Stage)
    runtime.components = [
        CallbackComponent("mqtt", Stage.CONNECTIONS, bridge.start, bridge.stop),
        # The core was opened by the build (open_core); stopping storage closes it.
        CallbackComponent("core", Stage.STORAGE, None, runtime.stack.aclose),
        CallbackComponent("inbound", Stage.WORK, _sync(inbound.subscribe_all),
                          lambda: inbound.drain(stages * 0.8)),
        CallbackComponent("scheduler", Stage.INTAKE, scheduler.start, scheduler.stop),
        # Intake stops first and starts last: the sweep runs only over a started ledger.
        CallbackComponent(sweeper.name, Stage.INTAKE, sweeper.start, sweeper.stop),
        CallbackComponent("home-assistant", Stage.INTAKE, *_ha_loop(ha, bridge, board)),
        CallbackComponent("control", Stage.INTAKE, control.start, control.stop),
        CallbackComponent("history", Stage.WORK, *_history_loop(core)),
    ]
    runtime.status_parts.append(board.line)
    runtime.status_sources.update(broker=board.broker, ollama=board.ollama, queues=board.queues,
                                  skills=board.skills, spend=board.spend,
                                  claude=board.claude, questions=board.questions)
    add_telegram(runtime, core)
    add_push(runtime, core)
    runtime.probes.extend([_probe_broker(bridge), _probe_models(board)])
    runtime.summary = lambda: works_now(config, broker_connected=bridge.connected,
                                        health=board.health, health_error=board.health_error)


def _scheduler(core: Core) -> Scheduler:
    async def run(skill: str, job: str, planned: datetime, catch_up: bool) -> None:
        result = await core.dispatcher.handle_schedule(skill, job, planned, catch_up)
        if not result.ok:
            # Dispatch returns a skill's failure instead of raising it; the scheduler records
            # a run as failed (outcome "error", with this reason) only when the callback raises.
            raise result.error or SkillError(f"{result.status}: {result.text or 'no reason'}",
                                             skill=skill)

    scheduler = Scheduler(core.config, core.db, run)
    declarations = [s.declaration for s in core.dispatcher.skills.skills.values()]
    for job in configured_jobs(core.config, declarations):
        if job.skill in core.dispatcher.skills.skills:
            scheduler.add_all([job])
        else:
            log.warning("job %s names skill %r, which is not enabled; not scheduled",
                        job.name, job.skill)
    return scheduler


def _sync(fn: Callable[[], None]) -> AsyncFn:
    async def run() -> None:
        fn()

    return run


def _ha_loop(ha: HaDiscovery, bridge: MqttBridge, board: StatusBoard) -> tuple[AsyncFn, AsyncFn]:
    """Announce hearth's sensors once connected, then refresh them now and then."""
    task: list[asyncio.Task[None]] = []

    async def loop() -> None:
        await bridge.wait_connected()
        board.broker_since = datetime.now(UTC)
        while True:
            try:
                await ha.announce()
            except HearthError as exc:
                log.debug("Home Assistant sensors not published: %s", exc)
            except Exception:
                log.exception("publishing Home Assistant sensors failed")
            await asyncio.sleep(SENSOR_INTERVAL)

    async def start() -> None:
        task.append(asyncio.create_task(loop(), name="home-assistant-sensors"))

    async def stop() -> None:
        for t in task:
            t.cancel()

    return start, stop


def _history_loop(core: Core) -> tuple[AsyncFn, AsyncFn]:
    """Sample exposed devices' states into the bounded history the assistant reads."""
    from agent.context import StateHistory
    from agent.privacy.expose import Exposure

    registry = core.home.registry
    history = StateHistory(core.db, registry, Exposure(core.config.privacy, registry.devices).visible,
                           core.config.history, lambda: datetime.now(UTC))
    task: list[asyncio.Task[None]] = []

    async def start() -> None:
        task.append(asyncio.create_task(history.run(), name="state-history"))

    async def stop() -> None:
        for t in task:
            t.cancel()

    return start, stop


def _probe_broker(bridge: MqttBridge) -> AsyncFn:
    async def probe() -> None:
        # The first attempt only: the summary line must not wait out the retry back-off.
        await bridge.wait_connected(timeout=BROKER_PROBE_SECONDS)

    return probe


def _probe_models(board: StatusBoard) -> AsyncFn:
    async def probe() -> None:
        try:
            await board.refresh_health()
        except Exception as exc:  # noqa: BLE001 - the summary line reports it instead
            board.health_error = f"{type(exc).__name__}: {exc}"

    return probe
