"""The `[[notify]]` entries: push notifications through Apprise URLs.

A URL's secret parts are placeholders filled from `secrets` (each an env variable or a
file), so the config file itself never holds a token::

    [[notify]]
    name = "phone"
    url = "ntfys://{token}@ntfy.sh/hearth-home"
    secrets = { token = { env = "HEARTH_NTFY_TOKEN" } }
    events = ["briefing", "pending", "budget", "timer", "error"]
    quiet_hours = "22:00-07:00"
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agent.config.base import SecretRef, Section

EventName = Literal["briefing", "digest", "pending", "budget", "timer", "error"]
EVENT_NAMES: tuple[EventName, ...] = ("briefing", "digest", "pending", "budget", "timer", "error")


class NotifySection(Section):
    """One notification service (an Apprise URL) and what it receives."""

    # Short name for logs, `hearth status` and `hearth notify test NAME` (the URL is never shown).
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    # An Apprise URL; `{placeholder}` parts are filled from `secrets` at delivery time.
    url: str = Field(min_length=3, max_length=2000)
    secrets: dict[str, SecretRef] = Field(default_factory=dict)
    events: tuple[EventName, ...] = EVENT_NAMES
    # "HH:MM-HH:MM" in the household's timezone; see docs/notifications.md for what is held.
    quiet_hours: str | None = None
    enabled: bool = True
