"""Where hearth keeps its state and runtime files."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from agent.config.root import HearthConfig

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
    """Create `path` (mode 0700: it holds the ledger) and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
