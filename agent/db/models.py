"""Every table hearth keeps, as SQLAlchemy 2 declarative models.

The schema itself is created by the Alembic migrations in ``agent/db/migrations``; these
models must match them (a test pins the columns).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agent.db.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base of hearth's tables."""


class LedgerCall(Base):
    """One model call: tokens, cost in µ$, what the deep tier would have cost, outcome."""

    __tablename__ = "ledger_call"
    __table_args__ = (Index("ix_ledger_call_created_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    skill: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32))
    tier_requested: Mapped[str] = mapped_column(String(16))
    tier_used: Mapped[str] = mapped_column(String(16))
    backend: Mapped[str] = mapped_column(String(16))
    model_requested: Mapped[str] = mapped_column(String(128))
    model_used: Mapped[str] = mapped_column(String(128))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cache_read_tokens: Mapped[int] = mapped_column(Integer)
    cache_write_5m_tokens: Mapped[int] = mapped_column(Integer)
    cache_write_1h_tokens: Mapped[int] = mapped_column(Integer)
    thinking_tokens: Mapped[int | None] = mapped_column(Integer)
    batch: Mapped[bool] = mapped_column(Boolean)
    cost_micros: Mapped[int] = mapped_column(BigInteger)
    counterfactual_micros: Mapped[int] = mapped_column(BigInteger)
    latency_ms: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    error_class: Mapped[str | None] = mapped_column(String(128))
    reservation_id: Mapped[str | None] = mapped_column(String(26))
    usage_json: Mapped[str] = mapped_column(Text)
    prompt: Mapped[str | None] = mapped_column(Text)
    # The data scopes the request carried, sorted and comma-joined, and its body size.
    scopes: Mapped[str] = mapped_column(String(200), server_default="")
    request_bytes: Mapped[int] = mapped_column(Integer, server_default="0")


class LedgerReservation(Base):
    """Worst-case spend held against the caps between `reserve` and `settle`/`release`.

    ``status``: reserved (open), settled, released, orphaned (outcome unknown: spent).
    ``day``/``month`` name the periods the amount was counted in, so closing it later (even
    after midnight) adjusts the same counters.
    """

    __tablename__ = "ledger_reservation"
    __table_args__ = (Index("ix_ledger_reservation_status", "status"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skill: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))
    backend: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(128))
    amount_micros: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    day: Mapped[str] = mapped_column(String(10))
    month: Mapped[str] = mapped_column(String(7))
    # Which process holds it, so a restart can tell a dead owner from a live one.
    owner_host: Mapped[str] = mapped_column(String(255))
    owner_pid: Mapped[int] = mapped_column(Integer)
    owner_token: Mapped[str] = mapped_column(String(64))


class StateChange(Base):
    """One sampled change of one device's state value (kept `[history] days`, then pruned)."""

    __tablename__ = "state_change"
    __table_args__ = (Index("ix_state_change_device_at", "device_id", "at"),
                      Index("ix_state_change_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    device_id: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(255))


class BudgetCounter(Base):
    """Spent and reserved µ$ for one scope in one period, e.g. ``skill:news|day|2026-11-24``.

    Caps are checked with a conditional UPDATE on these rows, inside the reserving
    transaction, so concurrent callers cannot both pass. ``warned`` makes the threshold
    warning fire once per period per cap, across processes.
    """

    __tablename__ = "budget_counter"

    scope: Mapped[str] = mapped_column(String(160), primary_key=True)
    spent_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    warned: Mapped[bool] = mapped_column(Boolean, default=False)


class JobRun(Base):
    """One planned run of a scheduled job and how it ended."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "planned_at", name="uq_job_run_job_planned_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(128))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # started | ok | error | skipped | missed
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)


class ConversationTurn(Base):
    """One turn of a short conversation (a request or its reply), kept for follow-ups only.

    ``key`` names the requester (``mqtt:rt:<topic>``, ``cli:<uid>``...); rows older than the
    follow-up window are deleted, so no text outlives the conversation.
    """

    __tablename__ = "conversation_turn"
    __table_args__ = (Index("ix_conversation_turn_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    skill: Mapped[str | None] = mapped_column(String(64))
    untrusted: Mapped[bool] = mapped_column(Boolean)


class LearnedCommand(Base):
    """A phrasing the model resolved to a device command; once accepted it runs at tier 0.

    ``status``: candidate, accepted or rejected; ``accepted_by``: a person (CLI) or ``auto``.
    """

    __tablename__ = "learned_command"
    __table_args__ = (
        UniqueConstraint("phrase", "arguments_json", name="uq_learned_command_phrase_args"),
        Index("ix_learned_command_phrase_status", "phrase", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phrase: Mapped[str] = mapped_column(String(300))
    skill: Mapped[str] = mapped_column(String(64))
    arguments_json: Mapped[str] = mapped_column(String(2000))
    count: Mapped[int] = mapped_column(Integer)
    sensitive: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by: Mapped[str | None] = mapped_column(String(64))


class FeedState(Base):
    """Conditional-GET state of one feed (ETag / Last-Modified) and its last fetch."""

    __tablename__ = "feed_state"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(1024))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)


class FeedItem(Base):
    """A news item, stored once whatever fetch brought it again (agent.feeds.identity)."""

    __tablename__ = "feed_item"
    __table_args__ = (
        UniqueConstraint("key", name="uq_feed_item_key"),
        Index("ix_feed_item_first_seen_at", "first_seen_at"),
        Index("ix_feed_item_link_key", "link_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The feed's id, else link, else a hash of the content, scoped to the feed.
    key: Mapped[str] = mapped_column(String(512))
    feed_url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2048))
    # SHA-256 of the normalised link, when it names one item: the identity across feeds.
    link_key: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    briefed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApprovalEvent(Base):
    """One step in the life of a sensitive action: requested, approved, refused, expired.

    ``code`` is the first group of the action's id (never the whole id: that is the
    capability); ``path`` is how it arrived: control, mqtt, request or timer.
    """

    __tablename__ = "approval_event"
    __table_args__ = (Index("ix_approval_event_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(16))
    device: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(1024))
    payload: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(255))


class Timer(Base):
    """A kitchen timer (skills/timers). Times are UTC; ``ends_at`` is null while paused,
    when ``remaining_s`` holds what is left.

    ``status``: running, paused, finished, cancelled. A finished timer whose ``announced``
    is still false was claimed but not yet announced (hearth stopped in between): the
    next start announces it, so an announcement may repeat but is never lost.
    ``command`` is what "remind me to ..." asked for: announced, never executed.
    """

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_status", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(80))
    area: Mapped[str | None] = mapped_column(String(80))
    command: Mapped[str | None] = mapped_column(String(300))
    duration_s: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remaining_s: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    announced: Mapped[bool] = mapped_column(Boolean)
    requested_by: Mapped[str] = mapped_column(String(64))


class ListItem(Base):
    """One entry on a household list (skills/lists): the shopping list or a named one.

    ``item_key`` is the normalised item (case, a leading "the", plural), so "Eggs" and
    "egg" are one open item and "check off the eggs" finds it.
    """

    __tablename__ = "list_item"
    __table_args__ = (Index("ix_list_item_list_name", "list_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_name: Mapped[str] = mapped_column(String(80))
    item: Mapped[str] = mapped_column(String(200))
    item_key: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
