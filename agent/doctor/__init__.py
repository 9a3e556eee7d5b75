"""`hearth doctor`: check an installation and say how to fix what is wrong.

Checks, in order: config, state directory, database, MQTT broker, Ollama, Anthropic key,
clock, free disk, notification services and the Telegram bot (when configured). Each
gives PASS, WARN (works but is unsafe as set up, with a fix; e.g. a broker that accepts
anonymous clients while `[approval] mqtt` is on), FAIL (with a fix) or SKIP (does not
apply, or cannot run because an earlier check failed). No check changes
anything or spends money.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint
from pathlib import Path

from agent.config.load import DEFAULT_PATH, load_config
from agent.config.root import HearthConfig
from agent.daemon.preflight import check_settings
from agent.doctor.local import (
    LOCAL_ONLY,
    check_anthropic_key,
    check_clock,
    check_database,
    check_disk,
    check_state_dir,
)
from agent.doctor.network import check_broker, check_ollama
from agent.doctor.notify import check_notifiers
from agent.doctor.result import CheckResult, DoctorContext, Status
from agent.doctor.telegram import check_telegram
from agent.errors import ConfigError, StartupError

__all__ = ["CheckResult", "DoctorContext", "Status", "cloud_skills", "exit_code", "local_only",
           "run_checks", "unit_environ"]

CHECK_NAMES = ("config", "state directory", "database", "mqtt broker", "ollama",
               "anthropic key", "clock", "free disk")

# What the packaged unit's StateDirectory= and RuntimeDirectory= give the daemon.
UNIT_STATE_DIRECTORY = "/var/lib/hearth"
UNIT_RUNTIME_DIRECTORY = "/run/hearth"


def unit_environ(config_path: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """`environ`, plus the directories systemd gives the service when `config_path` is the
    unit's own config: an admin checking /etc/hearth/config.toml means the installed service,
    whose state lives in /var/lib/hearth, not in the admin's home."""
    env = dict(environ)
    # Resolved: `--config ../hearth/config.toml` from /etc/hearth is the unit's config too.
    if config_path is not None and config_path.resolve() == DEFAULT_PATH.resolve():
        env.setdefault("STATE_DIRECTORY", UNIT_STATE_DIRECTORY)
        env.setdefault("RUNTIME_DIRECTORY", UNIT_RUNTIME_DIRECTORY)
    return env


async def run_checks(
    config_path: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    timeout: float = 3.0,
    clock_command: tuple[str, ...] | None = ("timedatectl", "show", "-p", "NTPSynchronized",
                                             "--value"),
    min_free_bytes: int = 200 * 1024 * 1024,
    systemd_dir: Path = Path("/run/systemd/system"),
) -> list[CheckResult]:
    """Run every check against the config at `config_path` (None: embedded defaults)."""
    env = unit_environ(config_path, os.environ if environ is None else environ)
    where = str(config_path) if config_path else "embedded defaults"
    try:
        config = load_config(config_path)
        # What `hearth run` checks, skills included; the key has its own line below.
        check_settings(config, env)
        cloud = cloud_skills(config)
    except (ConfigError, StartupError) as exc:
        problems = exc.problems if isinstance(exc, ConfigError) else []
        detail = "; ".join(problems[:3]) or str(exc)
        if len(problems) > 3:
            detail += f"; and {len(problems) - 3} more"
        failed = CheckResult.fail(
            "config", f"{where}: {detail}",
            f"edit {where}; `hearth config check {config_path or ''}`".rstrip() +
            " lists every problem with its key")
        return [failed, *(CheckResult.skip(n, "needs a valid config") for n in CHECK_NAMES[1:])]
    ctx = DoctorContext(config=config, config_path=config_path, environ=env, timeout=timeout,
                        min_free_bytes=min_free_bytes, clock_command=clock_command,
                        cloud_skills=cloud, systemd_dir=systemd_dir)
    # The slow ones (network, timedatectl) run together; the file checks are instant.
    broker, ollama, clock, *chat = await asyncio.gather(
        check_broker(ctx), check_ollama(ctx), check_clock(ctx),
        *([check_notifiers(ctx)] if config.notify else []),
        *([check_telegram(ctx)] if config.telegram.enabled else []))
    return [
        CheckResult.ok("config", where),
        check_state_dir(ctx),
        # Reads SQLite or PostgreSQL synchronously: off the loop.
        await asyncio.to_thread(check_database, ctx),
        broker,
        ollama,
        check_anthropic_key(ctx),
        clock,
        check_disk(ctx),
        *chat,
    ]


def cloud_skills(config: HearthConfig, *,
                 entry_points: Iterable[EntryPoint] | None = None) -> tuple[str, ...]:
    """The enabled skills whose tier (as configured, overrides included) runs on Claude.

    A skill declared `off_without_key` is left out: without a key its setup hook switches it
    off and the house runs without it; so is one whose `fallback_skill` runs locally. A
    fallback to a cloud tier is not a need either:
    without a key the router simply does not take it. `entry_points` is for tests.
    """
    from agent.plugins import discover

    skills = discover(config, entry_points=entry_points)

    def on_claude(tier: str) -> bool:
        return tier in config.tiers and config.tiers[tier].backend == "anthropic"

    def handed_off(name: str | None) -> bool:
        # A skill whose requests go to a local fallback skill without a key (the advisor
        # hands over to the assistant) does not make the key a need.
        fallback = skills.skills.get(name) if name else None
        return fallback is not None and not on_claude(fallback.tier)

    return tuple(sorted(
        name for name, item in skills.skills.items()
        if not item.declaration.off_without_key and on_claude(item.tier)
        and not handed_off(item.declaration.fallback_skill)))


def local_only(results: list[CheckResult]) -> bool:
    """Whether the key check found a deliberate local-only set-up."""
    return any(r.name == "anthropic key" and r.detail == LOCAL_ONLY for r in results)


def exit_code(results: list[CheckResult]) -> int:
    """0 when nothing failed, else 1."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0
