"""`hearth learn list|accept|reject` as the real command on a real database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from agent.config import load_config
from agent.db import Database
from agent.learn import LearnStore
from agent.paths import state_dir

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "hearth.toml"
    path.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')
    return path


def _hearth(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME")}
    return subprocess.run([sys.executable, "-m", "agent.cli.main", "--config", str(cfg),
                           "learn", *args], cwd=REPO, env=base, capture_output=True,
                          text=True, timeout=60, check=False)


def _seed(cfg: Path) -> LearnStore:
    config = load_config(cfg)
    db = Database.open(config.ledger.url, state_dir(config))
    store = LearnStore(db)
    kettle = {"device": "kettle", "state": "on"}

    async def observe() -> None:
        for _ in range(2):
            await store.observe("Could you get the kettle going?", "home", kettle,
                                sensitive=False)
        await store.observe("let me in", "home", {"device": "front door", "state": "unlocked"},
                            sensitive=True)

    asyncio.run(observe())
    db.close()
    return store


def test_list_accept_reject(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    empty = _hearth(cfg, "list")
    assert empty.returncode == 0 and "no candidates" in empty.stdout
    _seed(cfg)
    listed = _hearth(cfg, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["learned"]
    assert [(r["phrase"], r["count"], r["sensitive"], r["status"]) for r in rows] == [
        ("could you get the kettle going", 2, False, "candidate"),
        ("let me in", 1, True, "candidate")]
    human = _hearth(cfg, "list")
    assert "could you get the kettle going" in human.stdout
    assert "home device=kettle state=on" in human.stdout

    kettle_id = rows[0]["id"]
    accepted = _hearth(cfg, "accept", str(kettle_id), "--json")
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["status"] == "accepted"
    after = json.loads(_hearth(cfg, "list", "--json").stdout)["learned"]
    assert [r["phrase"] for r in after] == ["let me in"]
    everything = json.loads(_hearth(cfg, "list", "--all", "--json").stdout)["learned"]
    assert {r["id"]: r["status"] for r in everything}[kettle_id] == "accepted"

    rejected = _hearth(cfg, "reject", str(kettle_id))
    assert rejected.returncode == 0 and "rejected" in rejected.stdout
    unknown = _hearth(cfg, "accept", "999")
    assert unknown.returncode == 1 and "no learnt phrasing has id 999" in unknown.stderr
    bad = _hearth(cfg, "accept", "abc")
    assert bad.returncode == 2
