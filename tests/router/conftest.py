"""Router fixtures: a real Ledger on a SQLite file, the fake model servers, a Router factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig, parse_config
from agent.credentials import ApiKey
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import CallView
from agent.router import Router
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama

KEY = ApiKey("sk-ant-api03-router-tests-0123456789")


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


class Harness:
    """A router wired to the fakes and a real ledger; `rows()` reads what it recorded."""

    def __init__(self, router: Router, ledger: Ledger, config: HearthConfig,
                 db: Database) -> None:
        self.router = router
        self.ledger = ledger
        self.config = config
        self.db = db

    async def rows(self) -> list[CallView]:
        now = datetime.now(UTC)
        return await self.ledger.calls_between(now - timedelta(days=1), now + timedelta(days=1))


MakeHarness = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_harness(fake_anthropic: FakeAnthropic, fake_ollama: FakeOllama,
                       tmp_path: Path) -> AsyncIterator[MakeHarness]:
    """Build a Harness; keyword `config` merges into the test defaults, `api_key` overrides."""
    made: list[tuple[Router, Database]] = []

    async def make(config: dict[str, Any] | None = None, *,
                   api_key: ApiKey | None = KEY) -> Harness:
        base = {
            "hearth": {"state_dir": str(tmp_path / f"state{len(made)}")},
            "ollama": {"host": fake_ollama.url, "timeout": 5},
            "anthropic": {"base_url": fake_anthropic.url, "timeout": 5},
            "router": {"backoff_base": 0.01, "backoff_max": 0.05, "deadline": 30},
            "budget": {"daily_usd": "5", "monthly_usd": "50"},
        }
        cfg = parse_config(_merge(base, config or {}))
        assert cfg.hearth.state_dir is not None
        db = Database.open(cfg.ledger.url, cfg.hearth.state_dir)
        ledger = Ledger(db, cfg)
        await ledger.start()
        router = Router(cfg, ledger, api_key=api_key)
        made.append((router, db))
        return Harness(router, ledger, cfg, db)

    yield make
    for router, db in made:
        await router.aclose()
        db.close()
