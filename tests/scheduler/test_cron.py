"""Crontab expressions, weekday numbering and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.errors import ConfigError
from agent.scheduler.cron import (
    crontab_trigger,
    crontab_weekdays,
    dst_risky_hours,
    last_fire_time,
    next_fire_time,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("field", "expected"), [
    ("*", "*"), ("0", "sun"), ("7", "sun"), ("1-5", "mon,tue,wed,thu,fri"),
    ("5-7", "sun,fri,sat"), ("0,6", "sun,sat"), ("*/2", "sun,tue,thu,sat"),
    ("mon-wed", "mon,tue,wed"), ("0-6", "*"), ("1-7", "*"),
])
def test_weekdays_follow_crontab_numbering(field: str, expected: str) -> None:
    assert crontab_weekdays(field) == expected


@pytest.mark.parametrize("expr", ["0 7 * *", "61 7 * * *", "0 25 * * *", "0 7 * * 8",
                                  "0 7 * * 5-2", "0 7 * * funday"])
def test_bad_expressions_are_config_errors(expr: str) -> None:
    with pytest.raises(ConfigError):
        crontab_trigger(expr, UTC)


def test_sunday_zero_means_sunday() -> None:
    trigger = crontab_trigger("0 5 * * 0", UTC)
    fire = next_fire_time(trigger, datetime(2026, 11, 24, tzinfo=UTC))  # a Tuesday
    assert fire == datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
    assert fire.weekday() == 6


def test_local_time_is_kept_across_spring_forward() -> None:
    trigger = crontab_trigger("0 7 * * *", BERLIN)
    before = next_fire_time(trigger, datetime(2026, 3, 27, 12, tzinfo=UTC))
    after = next_fire_time(trigger, datetime(2026, 3, 29, 12, tzinfo=UTC))
    assert before is not None and after is not None
    assert before.astimezone(UTC).hour == 6 and after.astimezone(UTC).hour == 5
    assert before.astimezone(BERLIN).hour == after.astimezone(BERLIN).hour == 7


def test_a_run_inside_the_skipped_hour_does_not_loop_or_repeat() -> None:
    trigger = crontab_trigger("30 2 * * *", BERLIN)
    fires = []
    fire = next_fire_time(trigger, datetime(2026, 3, 27, tzinfo=UTC))
    while fire is not None and fire < datetime(2026, 3, 31, tzinfo=UTC):
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    # 02:30 does not exist on 29 March in Berlin; the days either side each fire once.
    assert len({f.astimezone(BERLIN).date() for f in fires}) == len(fires)
    assert dst_risky_hours("30 2 * * *") and not dst_risky_hours("0 7 * * *")


def test_last_fire_time_finds_the_latest_planned_run() -> None:
    trigger = crontab_trigger("0 7 * * *", UTC)
    now = datetime(2026, 11, 24, 7, 20, tzinfo=UTC)
    assert last_fire_time(trigger, now, timedelta(hours=25)) == now.replace(minute=0)
    assert last_fire_time(trigger, now.replace(hour=6), timedelta(hours=25)) == datetime(
        2026, 11, 23, 7, tzinfo=UTC)
    assert last_fire_time(trigger, now, timedelta(minutes=10)) is None
