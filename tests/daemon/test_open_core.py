"""`open_core`: one place opens database -> ledger -> router -> skills, and closes all of it,
also when opening fails part-way; built-in skills load through their setup hooks."""

from __future__ import annotations

import threading
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.credentials import ApiKey
from agent.daemon.core import open_core
from agent.errors import ConfigError, StartupError
from agent.plugins import GROUP, Event, Reply, Skill, SkillDeclaration
from agent.plugins.services import Services
from tests.support.skill_points import points

KEY = ApiKey("sk-ant-api03-" + "c" * 40)


def writer_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("hearth-db-w")]


def household(state_dir: Path, **sections: Any) -> HearthConfig:
    return HearthConfig.model_validate({"hearth": {"state_dir": str(state_dir)}, **sections})


async def _echo(services: Services, event: Event) -> Reply:
    return Reply(services.name)


def _raises(services: Services) -> None:
    raise RuntimeError("no weather station")


def _off(services: Services) -> None:
    return None


async def _async_setup(services: Services) -> Any:
    return _echo


broken = Skill(SkillDeclaration(name="broken", description="Fails at setup.", tier="none"),
               setup=_raises)
sleeper = Skill(SkillDeclaration(name="sleeper", description="Off here.", tier="none"),
                setup=_off)
awaited = Skill(SkillDeclaration(name="awaited", description="Async setup.", tier="none",
                                 intents={"AwaitedPing": ("ping awaited",)}),
                setup=_async_setup)


async def test_the_built_ins_load_through_their_setup_hooks(state_dir: Path) -> None:
    before = writer_threads()
    async with open_core(household(state_dir), state_dir, bridge=None, api_key=None) as core:
        assert len(writer_threads()) > len(before)
        names = core.dispatcher.skills.names()
        assert {"home", "news", "briefing"} <= set(names)
        # The digest is installed but off: it is disabled by default and there is no key.
        assert "digest" in core.dispatcher.skills.disabled
        assert core.batches is None
    assert writer_threads() == before


async def test_an_unknown_skill_section_closes_what_was_already_open(state_dir: Path) -> None:
    before = writer_threads()
    with pytest.raises(ConfigError, match=r"\[skills\]"):
        async with open_core(household(state_dir, skills={"nosuch": {}}), state_dir,
                             bridge=None, api_key=None):
            pytest.fail("opened with an unknown skill section")
    # Discovery ran after the database, ledger and router were open: all of it is closed.
    assert writer_threads() == before


async def test_the_batch_client_is_closed_on_exit(state_dir: Path) -> None:
    cfg = household(state_dir, briefing={"digest": {"enabled": True}})
    async with open_core(cfg, state_dir, bridge=None, api_key=KEY) as core:
        assert core.batches is not None
        assert "digest" in core.dispatcher.skills.skills
        sdk = core.batches._sdk()  # the SDK client, built lazily
        assert not sdk.is_closed()
    assert sdk.is_closed()


async def test_setup_failures_and_none_leave_the_house_running(state_dir: Path) -> None:
    installed = [*metadata.entry_points(group=GROUP), *points(broken, sleeper, awaited)]
    async with open_core(household(state_dir), state_dir, bridge=None, api_key=None,
                         entry_points=installed) as core:
        skills = core.dispatcher.skills
        assert skills.failed["broken"] == "setup: RuntimeError: no weather station"
        assert "sleeper" in skills.disabled and "sleeper" not in skills.skills
        assert (await core.dispatcher.handle_text("ping awaited")).text == "awaited"


async def test_a_setup_returning_a_plain_function_stops_start_up(state_dir: Path) -> None:
    def plain(services: Services, event: Event) -> Reply:
        return Reply("sync")

    syncy = Skill(SkillDeclaration(name="syncy", description="Sync.", tier="none"),
                  setup=lambda _s: plain)
    before = writer_threads()
    with pytest.raises(StartupError, match="syncy"):
        async with open_core(household(state_dir), state_dir, bridge=None, api_key=None,
                             entry_points=points(syncy)):
            pytest.fail("opened with a sync handler")
    assert writer_threads() == before


def test_a_skill_needs_exactly_one_of_handler_and_setup() -> None:
    decl = SkillDeclaration(name="x", description="x", tier="none")
    with pytest.raises(TypeError, match="exactly one"):
        Skill(decl)
    with pytest.raises(TypeError, match="exactly one"):
        Skill(decl, handler=_echo, setup=_off)
