"""How timers, times and dates are said out loud."""

from __future__ import annotations

from datetime import datetime

from agent.words import plural


def duration(seconds: int) -> str:
    """``10 minutes``, ``1 hour 30 minutes``, ``45 seconds``, ``1 minute 30 seconds``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [plural(hours, "hour")] if hours else []
    if minutes:
        parts.append(plural(minutes, "minute"))
    if secs or not parts:
        parts.append(plural(secs, "second"))
    return " ".join(parts)


def clock_time(at: datetime) -> str:
    """``10:42 pm`` (the household's wall clock: pass a local datetime)."""
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d} {'am' if at.hour < 12 else 'pm'}"


def day(at: datetime) -> str:
    """``Tuesday, 1 December``."""
    return f"{at:%A}, {at.day} {at:%B}"


def label(name: str | None, duration_s: int) -> str:
    """What a person calls the timer: ``the pasta timer`` or ``the 10 minute timer``."""
    if name:
        return f"the {name} timer"
    # A compound adjective takes the singular: "a 10 minute timer".
    words = duration(duration_s).split()
    singular = [w.removesuffix("s") if i % 2 else w for i, w in enumerate(words)]
    return f"the {' '.join(singular)} timer"
