"""Fixtures every test area shares: a real broker, unique topics, a state directory."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.broker import Broker

pytest_plugins = ["tests.support.model_fixtures"]

_counter = itertools.count()


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A Mosquitto started for this test session. Missing mosquitto is an error, not a skip."""
    b = Broker(tmp_path_factory.mktemp("mosquitto"))
    b.start()
    yield b
    b.stop()


@pytest.fixture
def running_broker(broker: Broker) -> Broker:
    """The session broker, restarted first if an earlier test left it stopped."""
    if not broker.running:
        broker.start()
    return broker


@pytest.fixture
def topic_prefix(request: pytest.FixtureRequest) -> str:
    """A topic prefix no other test uses, so retained messages never leak between tests."""
    name = "".join(c if c.isalnum() else "_" for c in request.node.name)[:40]
    return f"t{os.getpid()}_{next(_counter)}_{name}"


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """An empty state directory (ledger.db, locks and briefings go here)."""
    d = tmp_path / "state"
    d.mkdir(mode=0o700)
    return d
