"""Run history in the database: a unique (job, planned time) claim so no run happens twice.

A run starts by inserting its `JobRun` row with outcome "started"; the insert does nothing
when the row exists (ON CONFLICT DO NOTHING), and then the run does not happen. This holds
across restarts and across daemons sharing one PostgreSQL database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.db.models import JobRun
from agent.db.upsert import insert_ignoring

_DETAIL_CHARS = 1000


@dataclass(frozen=True, slots=True)
class RunRow:
    """One run's history row, detached from the session."""

    job: str
    planned_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    detail: str | None


def claim(session: Session, job: str, planned: datetime, *, now: datetime,
          outcome: str = "started", detail: str | None = None) -> bool:
    """Insert the row for (job, planned); True if this caller got it, False if it existed."""
    values = {"job": job, "planned_at": planned, "outcome": outcome,
              "started_at": now if outcome == "started" else None,
              "finished_at": None if outcome == "started" else now,
              "detail": detail[:_DETAIL_CHARS] if detail else None}
    result = session.execute(insert_ignoring(session, JobRun, ["job", "planned_at"]).values(**values))
    return bool(getattr(result, "rowcount", 0) == 1)


def finish(session: Session, job: str, planned: datetime, *, now: datetime, outcome: str,
           detail: str | None = None) -> None:
    """Record how a claimed run ended."""
    row = session.scalar(select(JobRun).where(JobRun.job == job, JobRun.planned_at == planned))
    if row is None:
        return
    row.finished_at = now
    row.outcome = outcome
    row.detail = detail[:_DETAIL_CHARS] if detail else None


def find(session: Session, job: str, planned: datetime) -> RunRow | None:
    """The row for (job, planned), if any."""
    row = session.scalar(select(JobRun).where(JobRun.job == job, JobRun.planned_at == planned))
    return _detach(row) if row is not None else None


def latest(session: Session, jobs: Sequence[str]) -> dict[str, RunRow]:
    """Each job's most recent row by planned time."""
    rows = session.scalars(select(JobRun).where(JobRun.job.in_(list(jobs)))
                           .order_by(JobRun.planned_at))
    return {row.job: _detach(row) for row in rows}


def _detach(row: JobRun) -> RunRow:
    return RunRow(row.job, row.planned_at, row.started_at, row.finished_at, row.outcome,
                  row.detail)
