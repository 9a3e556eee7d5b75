"""`[scheduler]`, `[feeds]` and `[briefing]`: timed work and the news it reads."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, HttpUrl, field_validator

from agent.config.base import Section


def _check_cron(value: str) -> str:
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(f"cron {value!r} needs five fields: minute hour day month weekday")
    return " ".join(fields)


class JobSection(Section):
    """A scheduled run of one skill."""

    name: str = Field(pattern=r"^[a-zA-Z0-9_.-]+$")
    skill: str
    cron: str = Field(min_length=9, description="five-field crontab expression")
    # Hours after the planned time in which a missed run still runs at start-up.
    catch_up_hours: float = Field(1.0, ge=0, le=24)
    # Or a local wall-clock time ("HH:MM") on the planned day; wins over catch_up_hours.
    catch_up_until: str | None = Field(None, pattern=r"^\d{2}:\d{2}$")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _check_cron(value)


class SchedulerSection(Section):
    """Timed jobs on top of those the skills declare."""

    jobs: tuple[JobSection, ...] = ()
    # A run APScheduler fires later than this is left to the next start-up's catch-up.
    # 1 s (APScheduler's default) silently drops runs on a busy Pi.
    misfire_grace_seconds: int = Field(300, ge=1)


class FeedSection(Section):
    """One RSS or Atom feed."""

    url: HttpUrl
    name: str | None = None
    max_items: int = Field(10, ge=1, le=200)


class FeedsSection(Section):
    """Feed fetching limits, shared by every feed."""

    feeds: tuple[FeedSection, ...] = ()
    # Seconds for connect, read and the whole fetch of one feed.
    timeout: float = Field(10.0, gt=0, le=120)
    # Bytes on the wire (compressed), and after gzip/deflate decoding.
    max_bytes: int = Field(2_000_000, ge=1024, le=50_000_000)
    max_decoded_bytes: int = Field(5_000_000, ge=1024, le=100_000_000)
    max_redirects: int = Field(3, ge=0, le=10)
    max_items_total: int = Field(60, ge=1, le=2000)
    # Characters of an item's text kept (after HTML is stripped); the rest is cut.
    item_max_chars: int = Field(2000, ge=100, le=20_000)
    # Feeds fetched at the same time.
    concurrency: int = Field(4, ge=1, le=32)
    # Use what feedparser's tolerant parser recovers from not well-formed XML (the feed is
    # reported degraded); false skips such a feed.
    accept_malformed: bool = True
    # Refuse feeds that resolve to loopback or private addresses (SSRF). Tests turn it on.
    allow_private_addresses: bool = False
    user_agent: str = "hearth-feeds/0.1 (+https://example.invalid/hearth)"


NotifierName = str


class DigestSection(Section):
    """The optional weekly analysis on the deep tier through the Message Batches API."""

    enabled: bool = False
    cron: str = "0 5 * * 0"
    # Hours after submission by which the batch must have ended.
    deadline_hours: float = Field(3.0, gt=0, le=24)
    # What to do when the batch is late: a synchronous (full-price) call, or nothing.
    on_late: Literal["sync", "skip"] = "skip"
    poll_seconds: float = Field(60.0, gt=0, le=3600)
    max_items: int = Field(100, ge=1, le=1000)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _check_cron(value)


class BriefingSection(Section):
    """The morning briefing."""

    cron: str = "0 7 * * *"
    catch_up_until: str = Field("11:00", pattern=r"^\d{2}:\d{2}$")
    spoken_max_words: int = Field(80, ge=10, le=500)
    # Where it goes: built-ins "mqtt" (<prefix>/briefing, retained) and "file" (Markdown in
    # the state directory), or any notifier installed under the `hearth.notifiers` entry points.
    notifiers: tuple[NotifierName, ...] = ("mqtt", "file")
    # News items in one briefing at most (the rest wait for the next one).
    max_news_items: int = Field(30, ge=0, le=500)
    digest: DigestSection = DigestSection()

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _check_cron(value)
