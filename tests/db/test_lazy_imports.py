"""An idle daemon on SQLite loads neither the PostgreSQL dialect nor feedparser."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from agent.db import Database

PROBE = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    from agent.daemon import core  # noqa: F401 - everything an idle daemon imports
    from agent.db import Database
    from agent.ledger.budget import ensure_counters
    from agent.scheduler import history
    from skills.news import desk  # noqa: F401 - the news skill, which fetches feeds when due

    db = Database.open(None, Path(sys.argv[1]))
    now = datetime(2026, 12, 1, 7, tzinfo=UTC)
    db.write_sync(lambda s: ensure_counters(s, ["day:2026-12-01"]))
    assert db.write_sync(lambda s: history.claim(s, job="j", planned=now, now=now))
    assert not db.write_sync(lambda s: history.claim(s, job="j", planned=now, now=now))
    db.close()
    print(sorted(m for m in ("sqlalchemy.dialects.postgresql", "feedparser") if m in sys.modules))
""")


def test_sqlite_upserts_need_no_postgresql_and_idle_needs_no_feedparser(tmp_path: Path) -> None:
    # Migrating (the very first start) loads Alembic and more; measure a restart, as the
    # footprint benchmark does.
    Database.open(None, tmp_path).close()
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
