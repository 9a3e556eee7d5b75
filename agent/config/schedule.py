"""`[scheduler]`, `[[feeds]]` and `[briefing]`: timed work and the news it reads."""

from __future__ import annotations

from pydantic import Field, HttpUrl

from agent.config.base import Section


class JobSection(Section):
    """A scheduled run of one skill."""

    name: str = Field(pattern=r"^[a-zA-Z0-9_.-]+$")
    skill: str
    cron: str = Field(min_length=9, description="five-field crontab expression")
    # Hours after the planned time in which a missed run still runs at start-up.
    catch_up_hours: float = Field(1.0, ge=0, le=24)


class SchedulerSection(Section):
    """Timed jobs on top of those the skills declare."""

    jobs: tuple[JobSection, ...] = ()
    misfire_grace_seconds: int = Field(300, ge=1)


class FeedSection(Section):
    """One RSS or Atom feed."""

    url: HttpUrl
    name: str | None = None
    max_items: int = Field(10, ge=1, le=200)


class FeedsSection(Section):
    """Feed fetching limits, shared by every feed."""

    feeds: tuple[FeedSection, ...] = ()
    timeout: float = Field(10.0, gt=0, le=120)
    max_bytes: int = Field(2_000_000, ge=1024, le=50_000_000)
    max_redirects: int = Field(3, ge=0, le=10)
    max_items_total: int = Field(60, ge=1, le=2000)
    # Refuse feeds that resolve to loopback or private addresses (SSRF). Tests turn it off.
    allow_private_addresses: bool = False


class BriefingSection(Section):
    """The morning briefing."""

    cron: str = "0 7 * * *"
    catch_up_until: str = Field("11:00", pattern=r"^\d{2}:\d{2}$")
    spoken_max_words: int = Field(80, ge=10, le=500)
