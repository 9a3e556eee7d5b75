"""The state history: exposed devices only, changes only, bounded by days and rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from agent.config.privacy import HistorySection, PrivacySection
from agent.context.history import StateHistory, changes
from agent.db import Database
from agent.db.models import StateChange
from agent.devices.registry import DeviceRegistry
from agent.privacy.expose import Exposure
from tests.context.support import household, report


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _rows(db: Database) -> list[tuple[str, str, str]]:
    return db.read_sync(lambda s: [(r.device_id, r.key, r.value) for r in s.scalars(
        select(StateChange).order_by(StateChange.id))])


async def test_changes_only_rounded_and_hidden_devices_never_sampled(tmp_path: Path) -> None:
    config = household(str(tmp_path), privacy={"hide": {"devices": ["bedroom lamp"]}})
    registry = DeviceRegistry(config)
    db = Database.open(None, tmp_path)
    clock = Clock()
    try:
        history = StateHistory(db, registry, Exposure(config.privacy, registry.devices).visible,
                               HistorySection(), clock)
        report(registry, "kitchen_light", {"state": "ON", "brightness": 120})
        report(registry, "living_sensor", {"temperature": 21.04})
        report(registry, "bedroom_lamp", {"state": "ON"})
        assert await history.sample() == 3
        report(registry, "living_sensor", {"temperature": 21.03})  # noise: same at 1 decimal
        clock.now += timedelta(minutes=1)
        assert await history.sample() == 0
        report(registry, "kitchen_light", {"state": "OFF"})
        report(registry, "bedroom_lamp", {"state": "OFF"})
        clock.now += timedelta(minutes=1)
        assert await history.sample() == 1
        rows = _rows(db)
        assert rows[-1] == ("kitchen_light", "state", "off")
        assert not [r for r in rows if r[0] == "bedroom_lamp"]
        assert ("living_room_sensor", "temperature", "21") in rows
        found = await changes(db, ["kitchen_light"], clock.now - timedelta(hours=1), 10)
        assert [(c.key, c.value) for c in found] == [("brightness", "120"), ("state", "on"),
                                                     ("state", "off")]
    finally:
        db.close()


async def test_pruned_by_days_and_by_max_rows(tmp_path: Path) -> None:
    config = household(str(tmp_path))
    registry = DeviceRegistry(config)
    db = Database.open(None, tmp_path)
    clock = Clock()
    try:
        history = StateHistory(db, registry, lambda _d: True,
                               HistorySection(days=2, max_rows=1000), clock)
        report(registry, "kitchen_light", {"state": "ON"})
        await history.sample()
        clock.now += timedelta(days=2, minutes=1)
        report(registry, "living_sensor", {f"k{i}": i for i in range(1200)})
        assert await history.sample() == 1200
        rows = _rows(db)
        # The two-day-old row went by age, then the oldest of the batch by count.
        assert len(rows) == 1000
        assert not [r for r in rows if r[0] == "kitchen_light"]
        count = db.read_sync(lambda s: s.scalar(select(func.count()).select_from(StateChange)))
        assert count == 1000
    finally:
        db.close()


def test_privacy_default_exposes_everything() -> None:
    config = household("/tmp")
    registry = DeviceRegistry(config)
    exposure = Exposure(PrivacySection(), registry.devices)
    assert all(exposure.visible(d) for d in registry.devices())
