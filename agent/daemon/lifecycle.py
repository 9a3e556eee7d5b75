"""The daemon's life: start, serve, reload on SIGHUP, staged shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agent.config import HearthConfig, load_config
from agent.daemon.component import Component, HealthReporter, Stage
from agent.daemon.notify import Notifier
from agent.daemon.runtime import Runtime
from agent.daemon.status import DaemonInfo
from agent.errors import HearthError

log = logging.getLogger(__name__)

def _settle_heap() -> None:
    """Move everything start-up built out of the collector's reach.

    The intent templates, ORM and config models are tens of thousands of long-lived objects;
    every full collection would walk them again, a pause of tens of milliseconds in the
    middle of a device command (bench/latency.py saw 53 ms). Frozen, they are never scanned.
    """
    gc.collect()
    gc.freeze()


BuildRuntime = Callable[[HearthConfig, Path, DaemonInfo], Awaitable[Runtime]]
# A loop that falls this far behind its own timer is unhealthy: withhold the watchdog ping.
MAX_LOOP_LAG = 5.0


class Daemon:
    """Owns one Runtime at a time and moves it through start, reload and stop."""

    def __init__(
        self,
        config_path: Path | None,
        config: HearthConfig,
        state_dir: Path,
        build: BuildRuntime,
        notifier: Notifier,
    ) -> None:
        self.config_path = config_path
        self.config = config
        self.state_dir = state_dir
        self.build = build
        self.notifier = notifier
        self.runtime: Runtime | None = None
        self.info = DaemonInfo()
        self.started_monotonic = time.monotonic()
        self._stop = asyncio.Event()
        self._reload = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.loop_lag = 0.0

    # -- public ---------------------------------------------------------------------------
    def request_stop(self) -> None:
        """Begin a staged shutdown (SIGTERM, SIGINT)."""
        self._stop.set()

    def request_reload(self) -> None:
        """Re-read the config file (SIGHUP)."""
        self._reload.set()

    async def run(self) -> int:
        """Serve until asked to stop; returns the process exit code."""
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_log_loop_exception)
        for sig, handler in ((signal.SIGTERM, self.request_stop), (signal.SIGINT, self.request_stop),
                             (signal.SIGHUP, self.request_reload)):
            loop.add_signal_handler(sig, handler)
        runtime = await self.build(self.config, self.state_dir, self.info)
        await self._start(runtime)
        self.info.state = "running"
        # READY=1 goes out now, not after the probes: systemd (and bench/footprint) count
        # start-up to here, and a slow Ollama or absent broker must not make it seconds.
        # The human "ready" line waits for the probes so it follows the summary of what works.
        self.notifier.ready(runtime.status_line())
        _settle_heap()
        self._spawn(self._watchdog(), "watchdog")
        self._spawn(self._run_probes(runtime, ready=True), "startup-probes")
        try:
            while not self._stop.is_set():
                await self._wait_for_signal()
                if self._reload.is_set() and not self._stop.is_set():
                    self._reload.clear()
                    await self._reload_config()
        finally:
            await self._shutdown()
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)
        return 0

    def uptime(self) -> float:
        """Seconds since the daemon started."""
        return time.monotonic() - self.started_monotonic

    # -- internals ------------------------------------------------------------------------
    def _spawn(self, coro: Any, name: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _wait_for_signal(self) -> None:
        stop = asyncio.create_task(self._stop.wait(), name="wait-stop")
        reload = asyncio.create_task(self._reload.wait(), name="wait-reload")
        try:
            await asyncio.wait({stop, reload}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            reload.cancel()

    async def _start(self, runtime: Runtime) -> None:
        # Start in reverse shutdown order: connections, storage, work, then intake.
        started: list[Component] = []
        try:
            for component in sorted(runtime.components, key=lambda c: -int(c.stage)):
                log.debug("starting %s", component.name)
                await component.start()
                started.append(component)
        except BaseException:
            # Unwind what started, newest first, then close what the build opened.
            await self._unwind(runtime, started)
            raise
        self.runtime = runtime

    async def _unwind(self, runtime: Runtime, started: list[Component]) -> None:
        each = self.config.hearth.shutdown_timeout / len(Stage)
        for component in reversed(started):
            try:
                await asyncio.wait_for(component.stop(), each)
            except Exception as exc:  # noqa: BLE001 - unwinding goes on; the start error wins
                log.error("stopping %s after a failed start: %s: %s", component.name,
                          type(exc).__name__, exc)
        try:
            await runtime.stack.aclose()
        except Exception as exc:  # noqa: BLE001
            log.error("closing after a failed start: %s: %s", type(exc).__name__, exc)

    async def _reload_config(self) -> None:
        log.info("SIGHUP: reloading %s", self.config_path or "embedded defaults")
        try:
            new_config = await asyncio.to_thread(load_config, self.config_path)
            from agent.daemon.preflight import check_config

            await asyncio.to_thread(check_config, new_config)
            new_runtime = await self.build(new_config, self.state_dir, self.info)
        except HearthError as exc:  # the build closed what it had opened
            log.error("reload rejected, keeping the running config: %s", exc)
            self.notifier.status(f"reload rejected: {type(exc).__name__}; running on old config")
            return
        old = self.runtime
        if old is not None:
            await self._stop_runtime(old, budget=self.config.hearth.shutdown_timeout)
        self.config = new_config
        logging.getLogger().setLevel(new_config.hearth.log_level)
        await self._start(new_runtime)
        self.notifier.status(new_runtime.status_line())
        log.info("reload done (%s)", new_runtime.status_line())
        gc.unfreeze()  # the old runtime's cycles are garbage now
        _settle_heap()
        self._spawn(self._run_probes(new_runtime), "reload-probes")

    async def _shutdown(self) -> None:
        self.info.state = "stopping"
        self.notifier.stopping()
        log.info("stopping")
        for task in list(self._tasks):
            task.cancel()
        if self.runtime is not None:
            await self._stop_runtime(self.runtime, budget=self.config.hearth.shutdown_timeout)
        gc.unfreeze()  # whoever runs us in-process (tests, `hearth ask`) gets a normal heap
        log.info("stopped after %.1f s of uptime", self.uptime())

    async def _stop_runtime(self, runtime: Runtime, *, budget: float) -> None:
        stages = sorted({c.stage for c in runtime.components})
        per_stage = budget / max(len(stages), 1)
        for stage in stages:
            members = [c for c in runtime.components if c.stage == stage]
            await _stop_stage(stage, members, per_stage)
        self.runtime = None

    async def _watchdog(self) -> None:
        interval = self.notifier.watchdog_interval
        tick = interval if interval else 5.0
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(tick)
            self.loop_lag = loop.time() - before - tick
            healthy = self.loop_lag < MAX_LOOP_LAG and self._components_alive()
            if interval and healthy:
                self.notifier.watchdog()
            elif interval:
                log.error("withholding the watchdog ping: loop lag %.1f s", self.loop_lag)
            if self.runtime is not None:
                self.notifier.status(self.runtime.status_line())

    def _components_alive(self) -> bool:
        if self.runtime is None:
            return True
        for component in self.runtime.components:
            if isinstance(component, HealthReporter) and not component.alive():
                log.error("%s is not alive", component.name)
                return False
        return True

    async def _run_probes(self, runtime: Runtime, *, ready: bool = False) -> None:
        """Run the start-up checks, log the one line of what works, then (at start) "ready"."""
        results = await asyncio.gather(*(p() for p in runtime.probes), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.warning("a start-up check failed: %s", result)
        if runtime.summary is not None:
            summary = runtime.summary()
            log.log(summary.level, "%s", summary.line)
        self.notifier.status(runtime.status_line())
        if ready:
            log.info("hearth is ready (%s)", runtime.status_line())


async def _stop_stage(stage: Stage, members: list[Component], timeout: float) -> None:
    tasks = {asyncio.create_task(c.stop(), name=f"stop-{c.name}"): c for c in members}
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            log.error("stopping %s failed: %s", tasks[task].name, task.exception())
    for task in pending:
        log.warning("%s did not stop within %.1f s (stage %s); moving on",
                    tasks[task].name, timeout, stage.name.lower())
        task.cancel()


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    task = context.get("task") or context.get("future")
    name = task.get_name() if isinstance(task, asyncio.Task) else "?"
    exc = context.get("exception")
    log.error("unhandled error in task %s: %s", name, context.get("message"), exc_info=exc)
