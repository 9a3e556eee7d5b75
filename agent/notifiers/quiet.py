"""Quiet hours: a daily window, in the household's time zone, that may wrap midnight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from agent.config.notify import EventName

# Held during quiet hours: they keep until morning. A pending confirmation and an ended
# timer answer something a person just did, so they go out at once.
HELD_EVENTS: frozenset[EventName] = frozenset({"briefing", "digest", "budget", "error"})


@dataclass(frozen=True, slots=True)
class QuietHours:
    """[start, end) each day; ``22:00-07:00`` wraps midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """From the config's validated "HH:MM-HH:MM"."""
        first, _, second = text.partition("-")
        return cls(time.fromisoformat(first), time.fromisoformat(second))

    def active(self, now: datetime, zone: ZoneInfo) -> bool:
        """Whether `now` (aware) falls in the window, read on the household's clock."""
        local = now.astimezone(zone).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end
