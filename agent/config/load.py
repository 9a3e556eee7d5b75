"""Finding, parsing and validating the config file, with every problem reported at once."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agent.config.problems import describe_problems
from agent.config.root import HearthConfig
from agent.errors import ConfigError
from agent.words import plural

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


def problems_of(exc: ValidationError, model: type[BaseModel] | None = None) -> list[str]:
    """One line per problem, in the user's words: `dotted.path: reason`.

    `model` is the model that was validated, used to suggest the key meant by an unknown one;
    by default the whole config when it raised, else no suggestions.
    """
    if model is None and exc.title == HearthConfig.__name__:
        model = HearthConfig
    return describe_problems(exc.errors(include_url=False), model)


def parse_config(data: Mapping[str, Any], source: str = "config") -> HearthConfig:
    """Validate already-parsed TOML data."""
    try:
        return HearthConfig.model_validate(dict(data))
    except ValidationError as exc:
        problems = problems_of(exc)
        raise ConfigError(f"{source}: {plural(len(problems), 'problem')}", problems) from None


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
