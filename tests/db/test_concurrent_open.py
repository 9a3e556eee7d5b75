"""Daemons (or threads) opening a brand-new SQLite ledger at the same moment all succeed."""

from __future__ import annotations

import threading
from pathlib import Path

from agent.db import Database


def test_simultaneous_first_opens_all_succeed(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    for attempt in range(8):
        state = tmp_path / f"s{attempt}"
        gate = threading.Barrier(8)

        def open_once(state: Path = state, gate: threading.Barrier = gate) -> None:
            gate.wait(30)
            try:
                Database.open(None, state).close()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=open_once) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
