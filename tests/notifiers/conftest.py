"""Loopback ntfy / JSON-webhook servers and a push service builder for the notifier tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

import pytest

from agent.config.notify import NotifySection
from agent.notifiers.events import Notice
from agent.notifiers.push import PushService
from tests.support.push_server import PushServer

ServerFactory = Callable[..., PushServer]
ServiceFactory = Callable[..., PushService]


@pytest.fixture
def push_server() -> Iterator[ServerFactory]:
    """Make started loopback servers; all are stopped after the test."""
    made: list[PushServer] = []

    def make(script: Sequence[str] = (), **kwargs: str) -> PushServer:
        server = PushServer(script, **kwargs).start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


def ntfy(name: str, server: PushServer, **extra: object) -> NotifySection:
    return NotifySection.model_validate(
        {"name": name, "url": f"ntfy://127.0.0.1:{server.port}/hearth-topic", **extra})


def webhook(name: str, server: PushServer, **extra: object) -> NotifySection:
    return NotifySection.model_validate(
        {"name": name, "url": f"json://127.0.0.1:{server.port}/hook", **extra})


def service(targets: Sequence[NotifySection], *, environ: Mapping[str, str] | None = None,
            **kwargs: object) -> PushService:
    """A push service with quick retries (the delays are not what these tests are about)."""
    options: dict[str, object] = {"retry_delays": (0.01, 0.01), "attempt_timeout": 60.0}
    options.update(kwargs)
    return PushService(targets, zone=ZoneInfo("Europe/Berlin"), environ=environ or {},
                       **options)  # type: ignore[arg-type]


async def post_and_drain(push: PushService, notice: Notice, *, timeout: float) -> None:
    """Start `push`, post `notice` and stop once its queue drained (every attempt ended)."""
    await push.start()
    try:
        push.post(notice)
        await push.stop(timeout=timeout)
    finally:
        await push.stop(timeout=0)
