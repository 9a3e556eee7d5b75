"""Finding, parsing and validating the config file, with every problem reported at once."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.config.root import HearthConfig
from agent.errors import ConfigError

DEFAULT_PATH = Path("/etc/hearth/config.toml")
ENV_VAR = "HEARTH_CONFIG"


def find_config(explicit: Path | None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The file to load: --config, then $HEARTH_CONFIG, then /etc/hearth/config.toml if present.

    None means no file: hearth runs on its embedded defaults.
    """
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR])
    return DEFAULT_PATH if DEFAULT_PATH.is_file() else None


def _dotted(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item.startswith(("function-", "tagged-union")):
            continue  # pydantic's internal validator labels mean nothing to a user
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "(top level)"


def problems_of(exc: ValidationError) -> list[str]:
    """One line per problem: `dotted.path: reason`."""
    lines = []
    for err in exc.errors(include_url=False):
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            reason = "unknown key"
        elif err["type"] == "missing":
            reason = "required key is missing"
        lines.append(f"{_dotted(tuple(err['loc']))}: {reason}")
    return lines


def parse_config(data: Mapping[str, Any], source: str = "config") -> HearthConfig:
    """Validate already-parsed TOML data."""
    try:
        return HearthConfig.model_validate(dict(data))
    except ValidationError as exc:
        problems = problems_of(exc)
        raise ConfigError(f"{source}: {len(problems)} problem(s)", problems) from None


def load_config(path: Path | None) -> HearthConfig:
    """Load and validate `path`, or return the defaults when `path` is None."""
    if path is None:
        return HearthConfig()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML", [str(exc)]) from None
    return parse_config(data, str(path))
