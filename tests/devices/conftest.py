"""Fixtures for MQTT tests: a peer client on the session broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mqtt.client import PeerClient, peer
from tests.support.broker import Broker


@pytest.fixture
def mqtt_peer(running_broker: Broker) -> Iterator[PeerClient]:
    """Another client on the test broker: plays devices, users and Home Assistant."""
    yield from peer(running_broker)
