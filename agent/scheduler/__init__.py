"""Timed work: APScheduler for timing, the database for run history and catch-up.

    Scheduler(config, db, run, clock=)   add()/add_all(), start(), catch_up(), stop(), next_runs()
    configured_jobs(config, declarations) every job hearth schedules (briefing, digest, config, skills)
"""

from agent.scheduler.jobs import BRIEFING_JOB, DIGEST_JOB, JobDef, configured_jobs
from agent.scheduler.scheduler import CatchUpDecision, RunCallback, Scheduler

__all__ = [
    "BRIEFING_JOB",
    "DIGEST_JOB",
    "CatchUpDecision",
    "JobDef",
    "RunCallback",
    "Scheduler",
    "configured_jobs",
]
