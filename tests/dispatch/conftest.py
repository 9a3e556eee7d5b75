"""A real Router and Ledger (SQLite under tmp_path) talking to the fake Ollama server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import SpendReport
from agent.plugins import GROUP
from agent.router import Router
from agent.router.opening import Models, open_router
from tests.support.fake_ollama import FakeOllama

HELLO = EntryPoint(name="hello", value="tests.plugins.example_skill:skill", group=GROUP)


def make_config(state_dir: Path, ollama_url: str, skills: dict[str, Any] | None = None
                ) -> HearthConfig:
    """A config pointing at the fake Ollama, with quick failures (one attempt, short timeouts)."""
    return HearthConfig.model_validate({
        "hearth": {"state_dir": str(state_dir)},
        "ollama": {"host": ollama_url, "timeout": 10},
        "router": {"max_attempts": 1, "deadline": 20},
        "skills": skills or {},
    })


@pytest.fixture
def config(state_dir: Path, fake_ollama: FakeOllama) -> HearthConfig:
    return make_config(state_dir, fake_ollama.url)


def with_sections(config: HearthConfig, sections: dict[str, Any]) -> HearthConfig:
    """`config` with these `[skills.<name>]` sections."""
    assert config.hearth.state_dir is not None
    return make_config(config.hearth.state_dir, config.ollama.host, sections)


@pytest.fixture
async def models(config: HearthConfig, state_dir: Path) -> AsyncIterator[Models]:
    """Database, ledger and router, opened (and closed) the way hearth opens them."""
    async with open_router(config, state_dir, api_key=None) as opened:
        yield opened


@pytest.fixture
def database(models: Models) -> Database:
    return models.db


@pytest.fixture
def ledger(models: Models) -> Ledger:
    return models.ledger


@pytest.fixture
def router(models: Models) -> Router:
    return models.router


async def spend(ledger: Ledger) -> SpendReport:
    """Everything on the ledger in the last and next hour."""
    now = datetime.now(UTC)
    return await ledger.spend_between(now - timedelta(hours=1), now + timedelta(hours=1))
