"""Five-field crontab expressions as APScheduler triggers, with crontab's weekday numbers.

APScheduler 3.x numbers weekdays from Monday = 0, while crontab (and every user) means
Sunday = 0 (or 7). `crontab_trigger` rewrites the weekday field into names, so "0 5 * * 0"
runs on Sunday as it would under cron.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

from agent.errors import ConfigError

log = logging.getLogger(__name__)

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY_NUMBER = {name: i for i, name in enumerate(_DAY_NAMES)}
_TOKEN = re.compile(r"^(?:(\*)|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:/(\d+))?$")


def _day(value: str) -> int:
    if value.isdigit():
        number = int(value)
        if number > 7:
            raise ValueError(f"weekday {value} is out of range 0-7")
        return number % 7  # 7 is Sunday too
    if value[:3] in _DAY_NUMBER:
        return _DAY_NUMBER[value[:3]]
    raise ValueError(f"unknown weekday {value!r}")


def crontab_weekdays(field: str) -> str:
    """A crontab weekday field (Sunday = 0 or 7) as APScheduler weekday names."""
    days: set[int] = set()
    for token in field.lower().split(","):
        found = _TOKEN.match(token)
        if not found:
            raise ValueError(f"cannot read weekday field {field!r}")
        star, first, last, step = found.groups()
        step_n = int(step) if step else 1
        if step_n < 1:
            raise ValueError(f"bad step in weekday field {field!r}")
        if star:
            start, end = 0, 6
        else:
            start = _day(first)
            end = _day(last) if last else (6 if step else start)
            if last and last.isdigit() and int(last) == 7:
                end = 7  # "5-7" means Friday to Sunday
        days.update(d % 7 for d in range(start, end + 1, step_n))
        if end < start:
            raise ValueError(f"weekday range {token!r} runs backwards")
    if days == set(range(7)):
        return "*"
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def crontab_trigger(expr: str, zone: tzinfo) -> CronTrigger:
    """A CronTrigger for a five-field crontab `expr` in `zone`; raises ConfigError."""
    fields = expr.split()
    if len(fields) != 5:
        raise ConfigError(f"cron {expr!r} needs five fields: minute hour day month weekday")
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                           day_of_week=crontab_weekdays(weekday), timezone=zone)
    except ValueError as exc:
        raise ConfigError(f"cron {expr!r}: {exc}") from exc


def dst_risky_hours(expr: str) -> bool:
    """Whether `expr` may fire between 01:00 and 03:59, where DST skips or repeats runs."""
    hour = expr.split()[1]
    if hour == "*" or "/" in hour:
        return True
    hours: set[int] = set()
    for part in hour.split(","):
        lo, _, hi = part.partition("-")
        if lo.isdigit():
            hours.update(range(int(lo), int(hi) + 1 if hi.isdigit() else int(lo) + 1))
    return bool(hours & {1, 2, 3})


def last_fire_time(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The latest fire time in (now - lookback, now], or None."""
    start = now - lookback
    fire: datetime | None = trigger.get_next_fire_time(None, start)
    last: datetime | None = None
    # Bounded: at most one fire per minute over the lookback window.
    for _ in range(int(lookback.total_seconds() // 60) + 2):
        if fire is None or fire > now:
            break
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last


def next_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The first fire time after `now`."""
    fire: datetime | None = trigger.get_next_fire_time(None, now + timedelta(microseconds=1))
    return fire
