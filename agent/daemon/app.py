"""`hearth run`: everything between the command line and the event loop."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from agent.config import HearthConfig, load_config
from agent.credentials import check_credentials
from agent.daemon.lifecycle import Daemon
from agent.daemon.lock import InstanceLock
from agent.daemon.notify import Notifier
from agent.errors import ConfigError, CredentialRefused, HearthError
from agent.logs import redact
from agent.paths import ensure_dir, state_dir

log = logging.getLogger(__name__)
_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]


def _apply_level(config: HearthConfig, verbosity: int) -> None:
    index = _LEVELS.index(config.hearth.log_level) - verbosity
    logging.getLogger().setLevel(_LEVELS[max(0, min(len(_LEVELS) - 1, index))])


def run_daemon(config_path: Path | None, *, verbosity: int = 0) -> int:
    """Load the config, refuse bad credentials, take the lock, and serve until stopped.

    Exit codes: 0 after a clean stop; 78 on invalid config or a refused credential (systemd's
    RestartPreventExitStatus=78 then stops restarting and shows the message once).
    """
    notifier = Notifier()
    try:
        config = load_config(config_path)
        _apply_level(config, verbosity)
        check_credentials(config)
    except (ConfigError, CredentialRefused) as exc:
        message = redact(str(exc))
        log.critical("not starting: %s", message)
        notifier.status(f"not starting: {message.splitlines()[0]}")
        print(f"hearth: {message}", file=sys.stderr)
        return exc.exit_code
    directory = ensure_dir(state_dir(config))
    lock = InstanceLock(directory)
    try:
        lock.acquire()
    except HearthError as exc:
        log.critical("not starting: %s", exc)
        return exc.exit_code
    from agent.daemon.wiring import build_runtime

    log.info("hearth starting (config: %s, state: %s)", config_path or "embedded defaults",
             directory)
    daemon = Daemon(config_path, config, directory, build_runtime, notifier)
    try:
        return asyncio.run(daemon.run())
    except HearthError as exc:
        log.critical("stopped: %s", exc)
        return exc.exit_code
    finally:
        lock.release()
