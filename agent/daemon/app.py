"""`hearth run`: everything between the command line and the event loop."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from agent.config import HearthConfig, load_config
from agent.daemon.lifecycle import Daemon
from agent.daemon.lock import InstanceLock
from agent.daemon.notify import Notifier
from agent.daemon.preflight import check_config
from agent.errors import HearthError
from agent.logs import redact
from agent.paths import ensure_dir, state_dir, storage_error

log = logging.getLogger(__name__)
_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]


def _apply_level(config: HearthConfig, verbosity: int) -> None:
    index = _LEVELS.index(config.hearth.log_level) - verbosity
    logging.getLogger().setLevel(_LEVELS[max(0, min(len(_LEVELS) - 1, index))])


def run_daemon(config_path: Path | None, *, verbosity: int = 0) -> int:
    """Load the config, refuse bad credentials, take the lock, and serve until stopped.

    Exit codes: 0 after a clean stop; 78 on invalid config or a refused credential; 73 when
    the state directory, lock or database cannot be created or written (read-only, no
    permission); 74 on a full or failing disk; 75 when another daemon holds the lock. The
    unit lists all four in RestartPreventExitStatus: restarting fixes none of them, so the
    unit fails once and shows the one line.
    """
    notifier = Notifier()
    try:
        config = load_config(config_path)
        _apply_level(config, verbosity)
        # Exactly what `hearth config check` and `hearth doctor` check (one function).
        check_config(config)
    except HearthError as exc:
        return _refuse(notifier, exc)
    try:
        directory = ensure_dir(state_dir(config))
        lock = InstanceLock(directory)
        lock.acquire()
    except HearthError as exc:
        return _refuse(notifier, exc)
    from agent.daemon.wiring import build_runtime

    log.info("hearth starting (config: %s, state: %s)", config_path or "embedded defaults",
             directory)
    daemon = Daemon(config_path, config, directory, build_runtime, notifier)
    try:
        return asyncio.run(daemon.run())
    except OSError as exc:
        if exc.filename is None:
            raise
        # A file-system failure nobody translated (a briefing file, a socket path): one
        # line and a status the unit does not restart on, not a traceback.
        error = storage_error(exc, Path(exc.filename), "use")
        return _refuse(notifier, error) if daemon.info.state == "starting" else _stopped(error)
    except HearthError as exc:
        return _refuse(notifier, exc) if daemon.info.state == "starting" else _stopped(exc)
    finally:
        lock.release()


def _refuse(notifier: Notifier, exc: HearthError) -> int:
    """Start-up failed: one line in systemd's status, and the error once on stderr.

    Under systemd stderr is the journal, so the line is logged (with its priority); on a
    terminal it is printed plainly. Never both: the same error twice reads as two.
    """
    message = redact(str(exc))
    notifier.status(f"not starting: {message.splitlines()[0]}")
    if _under_systemd():
        log.critical("not starting: %s", message)
    else:
        print(f"hearth: not starting: {message}", file=sys.stderr)
    return exc.exit_code


def _under_systemd() -> bool:
    return "JOURNAL_STREAM" in os.environ or "INVOCATION_ID" in os.environ


def _stopped(exc: HearthError) -> int:
    log.critical("stopped: %s", redact(str(exc)))
    return exc.exit_code
