"""Where hearth keeps its state and runtime files."""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from pathlib import Path

from agent.config.root import HearthConfig
from agent.errors import EX_CANTCREAT, EX_IOERR, StorageError

SERVICE_STATE_DIR = Path("/var/lib/hearth")


def state_dir(config: HearthConfig, environ: Mapping[str, str] | None = None) -> Path:
    """The state directory: config, then systemd's $STATE_DIRECTORY, then the installed
    service's /var/lib/hearth when it exists, then the XDG default."""
    env = os.environ if environ is None else environ
    if config.hearth.state_dir is not None:
        return config.hearth.state_dir.expanduser()
    if env.get("STATE_DIRECTORY"):
        # systemd may pass several colon-separated directories; the first is ours.
        return Path(env["STATE_DIRECTORY"].split(":")[0])
    # An admin running `hearth spend` in a shell has no $STATE_DIRECTORY; the service's
    # directory is still the one they mean.
    if SERVICE_STATE_DIR.is_dir() and os.access(SERVICE_STATE_DIR, os.R_OK | os.X_OK):
        return SERVICE_STATE_DIR
    base = Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "hearth"


def runtime_dir(config: HearthConfig, environ: Mapping[str, str] | None = None) -> Path:
    """Where the control socket lives: $RUNTIME_DIRECTORY under systemd, else the state dir."""
    env = os.environ if environ is None else environ
    if env.get("RUNTIME_DIRECTORY"):
        return Path(env["RUNTIME_DIRECTORY"].split(":")[0])
    return state_dir(config, env)


def ensure_dir(path: Path) -> Path:
    """Create `path` (mode 0700: it holds the ledger) and return it; StorageError if it
    cannot be created."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise storage_error(exc, path, "create the state directory") from exc
    return path


_FULL = (errno.ENOSPC, errno.EDQUOT)


def storage_error(exc: OSError, path: Path, doing: str) -> StorageError:
    """One line for an OSError on hearth's own files: what failed, where, and why.

    A full disk (or quota) and an I/O error are EX_IOERR; everything else (read-only file
    system, permissions, a file where a directory should be) is EX_CANTCREAT. Neither is
    fixed by restarting, which is why the unit lists both in RestartPreventExitStatus.
    """
    if exc.errno in _FULL:
        where = path if path.is_dir() else path.parent
        return StorageError(f"disk full at {where}: cannot {doing} ({path})", exit_code=EX_IOERR)
    if exc.errno == errno.EIO:
        return StorageError(f"I/O error at {path}: cannot {doing}; check the disk",
                            exit_code=EX_IOERR)
    why = (exc.strerror or type(exc).__name__).lower()
    return StorageError(f"cannot {doing} {path}: {why}", exit_code=EX_CANTCREAT)
