"""`hearth schedule list`: every scheduled job, its next run and its last recorded run."""

from __future__ import annotations

import argparse
import logging
from typing import Any

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `schedule list`."""
    p = sub.add_parser("schedule", help="scheduled jobs")
    ssub = p.add_subparsers(dest="schedule_command", metavar="SUBCOMMAND", required=True)
    lst = ssub.add_parser("list", help="show each job's next run and last run")
    lst.add_argument("--json", action="store_true", help="one JSON document")
    lst.add_argument("--no-history", action="store_true",
                     help="do not open the database for the last runs")
    lst.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from agent.cli.common import load, print_json, print_table
    from agent.plugins import discover
    from agent.scheduler import configured_jobs
    from agent.scheduler.cron import crontab_trigger, next_fire_time

    config = load(args)
    zone = config.hearth.zone
    # The skills the daemon would run (enabled ones, factory entry points included).
    jobs = configured_jobs(config, [s.declaration for s in discover(config).skills.values()])
    now = datetime.now(UTC)
    last = {} if args.no_history else _last_runs(config, [j.name for j in jobs])
    rows: list[dict[str, Any]] = []
    for job in jobs:
        nxt = next_fire_time(crontab_trigger(job.cron, zone), now)
        run = last.get(job.name)
        rows.append({
            "job": job.name, "skill": job.skill, "cron": job.cron,
            "next_run": nxt.astimezone(zone).isoformat() if nxt else None,
            "catch_up": job.describe_window(),
            "last_planned": run.planned_at.astimezone(zone).isoformat() if run else None,
            "last_outcome": run.outcome if run else None,
            "last_detail": run.detail if run else None,
        })
    rows.sort(key=lambda r: r["next_run"] or "~")
    if args.json:
        print_json({"timezone": config.hearth.timezone, "jobs": rows})
        return 0
    print_table(["JOB", "SKILL", "CRON", "NEXT RUN", "CATCH-UP", "LAST RUN", "WHY"],
                [[r["job"], r["skill"], r["cron"], _short(r["next_run"]), r["catch_up"],
                  f"{r['last_outcome']} {_short(r['last_planned'])}" if r["last_outcome"]
                  else "-", _why(r)] for r in rows])
    return 0


def _why(row: dict[str, Any]) -> str:
    """Why the last run failed or was missed, on one line ("-" for a run that went well)."""
    if row["last_outcome"] in (None, "ok", "started") or not row["last_detail"]:
        return "-"
    return " ".join(str(row["last_detail"]).split())


def _short(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "-"


def _last_runs(config: Any, names: list[str]) -> dict[str, Any]:
    from functools import partial

    from agent.db import DB_FILENAME, Database
    from agent.errors import HearthError
    from agent.paths import state_dir
    from agent.scheduler.history import latest

    directory = state_dir(config)
    if config.ledger.url is None and not (directory / DB_FILENAME).exists():
        return {}  # never ran here: nothing to show, and nothing to create
    try:
        db = Database.open(config.ledger.url, directory)
    except HearthError as exc:
        log.warning("run history unavailable: %s", exc)
        return {}
    try:
        result: dict[str, Any] = db.read_sync(partial(latest, jobs=names))
        return result
    finally:
        db.close()
