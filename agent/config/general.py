"""The `[hearth]` section: where state lives, which timezone, how loud the logs are."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from agent.config.base import Section

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class HearthSection(Section):
    """Daemon-wide settings."""

    name: str = Field("hearth", pattern=r"^[a-zA-Z0-9_-]{1,64}$")
    # None means: $STATE_DIRECTORY under systemd, else ~/.local/state/hearth (see paths.py).
    state_dir: Path | None = None
    timezone: str = "UTC"
    log_level: LogLevel = "INFO"
    # Stop budget (seconds) for the whole staged shutdown; systemd's default kill is 90 s.
    shutdown_timeout: float = Field(8.0, gt=0, le=60)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like Europe/Berlin)") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The household's timezone; periods, schedules and reports follow it."""
        return ZoneInfo(self.timezone)
