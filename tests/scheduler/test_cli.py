"""`hearth schedule list`, in-process."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.db import Database
from agent.scheduler import BRIEFING_JOB
from agent.scheduler.history import claim


def write_config(tmp_path: Path, state_dir: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[hearth]
state_dir = "{state_dir}"
timezone = "Europe/Berlin"

[briefing]
cron = "30 6 * * 1-5"

[[scheduler.jobs]]
name = "news.prepare"
skill = "news"
cron = "0 6 * * *"
catch_up_hours = 2
""")
    return path


def test_schedule_list_json_shows_next_and_last_runs(
        tmp_path: Path, state_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, state_dir)
    assert main(["--config", str(path), "schedule", "list", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    jobs = {j["job"]: j for j in out["jobs"]}
    assert out["timezone"] == "Europe/Berlin"
    assert set(jobs) >= {BRIEFING_JOB, "news.prepare"}
    brief = jobs[BRIEFING_JOB]
    assert brief["cron"] == "30 6 * * 1-5" and brief["catch_up"] == "until 11:00"
    nxt = datetime.fromisoformat(brief["next_run"])
    assert (nxt.hour, nxt.minute) == (6, 30) and nxt.weekday() < 5
    assert brief["last_outcome"] is None
    assert not (state_dir / "ledger.db").exists()  # listing never creates a database

    db = Database.open(None, state_dir)
    planned = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)
    db.write_sync(partial(claim, job=BRIEFING_JOB, planned=planned, now=planned,
                          outcome="missed", detail="late"))
    db.close()
    assert main(["--config", str(path), "schedule", "list", "--json"]) == 0
    jobs = {j["job"]: j for j in json.loads(capsys.readouterr().out)["jobs"]}
    assert jobs[BRIEFING_JOB]["last_outcome"] == "missed"
    assert jobs[BRIEFING_JOB]["last_planned"].startswith("2026-11-24T06:30")


def test_schedule_list_table(tmp_path: Path, state_dir: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, state_dir)
    assert main(["--config", str(path), "schedule", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:3] == ["JOB", "SKILL", "CRON"]
    assert lines[0].split("\t")[-2:] == ["LAST RUN", "WHY"]
    assert any(line.startswith("news.prepare\tnews\t0 6 * * *") for line in lines)

    # A failed run shows its reason on one line; a good one shows none.
    db = Database.open(None, state_dir)
    planned = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    db.write_sync(partial(claim, job="news.prepare", planned=planned, now=planned,
                          outcome="error", detail="SkillError: feeds\nexploded"))
    db.write_sync(partial(claim, job=BRIEFING_JOB, planned=planned, now=planned, outcome="ok",
                          detail="fine"))
    db.close()
    assert main(["--config", str(path), "schedule", "list"]) == 0
    rows = {r.split("\t")[0]: r.split("\t") for r in capsys.readouterr().out.splitlines()}
    assert rows["news.prepare"][-2].startswith("error 2026-11-24")
    assert rows["news.prepare"][-1] == "SkillError: feeds exploded"
    assert rows[BRIEFING_JOB][-1] == "-"


def test_bad_cron_in_config_exits_78(tmp_path: Path, state_dir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[briefing]\ncron = "0 7 * *"\n')
    assert main(["--config", str(path), "schedule", "list"]) == 78
    assert "briefing.cron" in capsys.readouterr().err
