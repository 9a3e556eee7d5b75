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

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from agent.config.base import SecretRef, Section

EventName = Literal["briefing", "digest", "pending", "budget", "timer", "error"]
EVENT_NAMES: tuple[EventName, ...] = ("briefing", "digest", "pending", "budget", "timer", "error")

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
QUIET_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
# Query keys whose value is a credential in Apprise's URL formats (ntfy `token=`, JSON
# webhooks' `+Authorization=` header, Pushover `user=`/`token=`, Matrix `pass=`...).
_SECRET_KEY = re.compile(r"(?i)(token|pass|secret|apikey|api_key|^key$|authorization|bearer)")
# A long run of letters and digits in the host or path looks like a bot/app token
# (Telegram `123456:AA...`, Pushover's 30-character keys, Gotify app tokens).
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-:]{20,}")


def _looks_random(part: str) -> bool:
    return any(re.search(r"[A-Za-z]", run) and re.search(r"\d", run)
               for run in _TOKEN_LIKE.findall(part))


def literal_credential(url: str) -> str | None:
    """Which part of `url` looks like a credential written in clear, or None.

    Placeholders are taken out first: ``{token}@host`` is how a secret is meant to appear.
    """
    bare = PLACEHOLDER.sub("", url)
    _scheme, sep, rest = bare.partition("://")
    if not sep:
        return None
    location, _, query = rest.partition("?")
    authority, _, path = location.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if at and ":" in userinfo and userinfo.split(":", 1)[1]:
        return "the password in user:password@"
    if at and userinfo and _looks_random(userinfo):
        return "the token before @"
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if value and _SECRET_KEY.search(key.lstrip("+:-")):
            return f"the value of ?{key}="
    if _looks_random(host) or _looks_random(path):
        return "a token in the address"
    return None


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

    @field_validator("url")
    @classmethod
    def _no_literal_secret(cls, url: str) -> str:
        # The message never repeats the URL: it holds the very credential being refused.
        if "://" not in url:
            raise ValueError("must be an Apprise URL (scheme://...), e.g. ntfys://ntfy.sh/topic")
        found = literal_credential(url)
        if found:
            raise ValueError(
                f"{found} looks like a credential written into the config: put a "
                "{placeholder} there and give its value in `secrets` "
                '(e.g. secrets = { token = { env = "HEARTH_NTFY_TOKEN" } })')
        return url

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_format(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = QUIET_HOURS.match(value)
        if not match:
            raise ValueError(f"must be HH:MM-HH:MM (24-hour clock), e.g. 22:00-07:00, got {value!r}")
        if value[:5] == value[6:]:
            raise ValueError("start and end are the same time; leave quiet_hours out instead")
        return value

    @field_validator("events")
    @classmethod
    def _events_listed_once(cls, events: tuple[EventName, ...]) -> tuple[EventName, ...]:
        if not events:
            raise ValueError("lists no event; set enabled = false to turn the entry off")
        return tuple(dict.fromkeys(events))

    @model_validator(mode="after")
    def _placeholders_match_secrets(self) -> NotifySection:
        used = set(PLACEHOLDER.findall(self.url))
        missing = sorted(used - set(self.secrets))
        if missing:
            raise ValueError(f"url uses {{{missing[0]}}} but `secrets` has no {missing[0]!r} "
                             f"entry (e.g. secrets = {{ {missing[0]} = {{ env = \"...\" }} }})")
        unused = sorted(set(self.secrets) - used)
        if unused:
            raise ValueError(f"secrets.{unused[0]} is not used: the url has no {{{unused[0]}}}")
        return self


def duplicate_names(entries: tuple[NotifySection, ...] | list[NotifySection]) -> list[str]:
    """Names given to more than one `[[notify]]` entry (each once, in order)."""
    seen: set[str] = set()
    dupes: list[str] = []
    for entry in entries:
        if entry.name in seen and entry.name not in dupes:
            dupes.append(entry.name)
        seen.add(entry.name)
    return dupes
