"""Which jobs exist: the config's `[scheduler] jobs`, the briefing, the digest, and skills' own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from agent.config.root import HearthConfig
from agent.plugins.contract import SkillDeclaration

BRIEFING_JOB = "briefing.morning"
DIGEST_JOB = "digest.weekly"


@dataclass(frozen=True, slots=True)
class JobDef:
    """One scheduled job: run `skill` at `cron`, catching up a missed run within its window."""

    name: str
    skill: str
    cron: str
    catch_up_until: str | None = None   # local "HH:MM" on the planned day
    catch_up_hours: float = 1.0         # used when catch_up_until is None

    def window_end(self, planned: datetime, zone: tzinfo) -> datetime:
        """The last moment at which a run planned for `planned` may still start."""
        if self.catch_up_until is None:
            return planned + timedelta(hours=self.catch_up_hours)
        hh, mm = (int(p) for p in self.catch_up_until.split(":"))
        local = planned.astimezone(zone)
        end = datetime.combine(local.date(), time(hh % 24, mm), tzinfo=zone)
        if end <= local:
            end += timedelta(days=1)  # "23:00 until 01:00" ends the next morning
        return end

    def describe_window(self) -> str:
        """The catch-up window in words."""
        if self.catch_up_until is not None:
            return f"until {self.catch_up_until}"
        return f"{self.catch_up_hours:g} h"


def configured_jobs(config: HearthConfig,
                    declarations: Iterable[SkillDeclaration] = ()) -> list[JobDef]:
    """Every job hearth schedules: the briefing (from `[briefing]`), the weekly digest when
    enabled, `[scheduler] jobs`, and each skill's declared schedules (named `skill.name`)."""
    jobs = [JobDef(BRIEFING_JOB, "briefing", config.briefing.cron,
                   catch_up_until=config.briefing.catch_up_until)]
    digest = config.briefing.digest
    if digest.enabled:
        jobs.append(JobDef(DIGEST_JOB, "digest", digest.cron, catch_up_hours=digest.deadline_hours))
    jobs.extend(JobDef(j.name, j.skill, j.cron, j.catch_up_until, j.catch_up_hours)
                for j in config.scheduler.jobs)
    for decl in declarations:
        jobs.extend(JobDef(f"{decl.name}.{spec.name}", decl.name, spec.cron, spec.catch_up_until,
                           spec.catch_up_hours) for spec in decl.schedules)
    return jobs
