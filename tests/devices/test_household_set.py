"""The devices part of the household set through the real daemon over the real broker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.devices import household as hh
from tests.devices.household_set import Satellite, check, daemon_toml, fill, household_config, load_set
from tests.support.broker import Broker
from tests.support.daemon_proc import DaemonProcess


def test_the_set_has_enough_phrasings_over_enough_devices() -> None:
    tests = load_set()["tests"]
    assert len(tests) >= 90
    topics = {e["topic"].split("/")[1] if e["topic"].startswith("{") else e["topic"]
              for t in tests for e in t.get("expect", [])}
    pending = {t["pending"] for t in tests if "pending" in t}
    assert len(topics) + len(pending) >= 15
    assert {"front door lock", "garage door", "garden valve", "hall lamp"} <= pending
    assert any("alarm" in t["say"] and t.get("none") for t in tests)


@pytest.mark.slow
@pytest.mark.timeout(400)  # ~85 phrases x (reply + 300 ms): ~30 s alone, more under load
def test_household_devices_set_through_the_real_daemon(
        running_broker: Broker, topic_prefix: str, tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    sections, base = household_config(running_broker.port, topic_prefix, tmp_path / "state")
    cfg = tmp_path / "config.toml"
    cfg.write_text(daemon_toml(sections), encoding="utf-8")
    satellite = Satellite(running_broker.port, topic_prefix, base)
    daemon = DaemonProcess(cfg, tmp_path)
    data = load_set()
    try:
        satellite.wait_online()
        hh.announce(satellite.publish, base, f"{topic_prefix}_ha")
        for state in data["states"]:
            payload = state["payload"]
            # Retained: the daemon subscribes to state topics as devices are discovered.
            satellite.publish(fill(state["topic"], base),
                              payload if isinstance(payload, str) else json.dumps(payload),
                              retain=True)
        daemon.wait_for_log("device registry:", 20)
        satellite.ask(-1, "is the kitchen light on", None)  # settles discovery
        wrong: list[str] = []
        ran = 0
        for index, entry in enumerate(data["tests"]):
            ran += 1
            outcome = satellite.ask(index, entry["say"], entry.get("area"))
            wrong += [f"{entry['say']!r}: {p}" for p in check(entry, outcome, base)]
        assert ran == len(data["tests"]) >= 100
        assert wrong == [], "\n".join(wrong)
    finally:
        satellite.close()
        daemon.close()
