"""A broker outage is said once, reminded at most every few minutes, and its end said."""

from __future__ import annotations

import logging

import pytest

from agent.mqtt.outage import Outage


def test_warns_once_reminds_rarely_and_says_when_back(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="agent.mqtt.bridge")
    now = [1000.0]
    outage = Outage("broker:1883", remind_every=300.0, clock=lambda: now[0])
    for _ in range(200):  # 200 attempts, 10 s apart: 2000 s away
        outage.failed(ConnectionRefusedError("refused"), 10.0)
        now[0] += 10.0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 + 6  # the first, then one per 300 s of the 2000
    assert "unreachable (refused)" in warnings[0]
    assert "still unreachable after 31 attempts over 300 s" in warnings[1]
    caplog.clear()
    outage.connected(2, subscriptions=3)
    said = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert said == [(logging.INFO, "MQTT reconnected to broker:1883 after 200 attempts "
                                   "(2000 s away; 3 subscriptions)")]
    caplog.clear()
    outage.failed(None, 1.0)  # a new outage warns again at once
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
