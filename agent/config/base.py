"""Shared building blocks for config sections: strict frozen models and secret references."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator


class Section(BaseModel):
    """Base of every config section: immutable, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(Section):
    """Where a secret lives: an environment variable or a file, never the config itself.

    Resolved late (``resolve``), so a config can be checked and logged without the secret.
    """

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if self.env is None and self.file is None:
            raise ValueError("give `env` (a variable name) or `file` (a path)")
        if self.env is not None and self.file is not None:
            raise ValueError("give only one of `env` and `file`")
        return self

    def describe(self) -> str:
        """Where the secret comes from, safe to print."""
        return f"${self.env}" if self.env else f"file {self.file}"

    def resolve(self, environ: dict[str, str] | None = None) -> str | None:
        """The secret's value, or None when the variable is unset or the file is missing.

        A file readable by group or others is refused: a leaked key is a leaked bill.
        """
        if self.env is not None:
            value = (environ if environ is not None else dict(os.environ)).get(self.env)
            return value.strip() if value else None
        assert self.file is not None  # guaranteed by _one_source
        try:
            info = self.file.stat()
        except FileNotFoundError:
            return None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            from agent.errors import SecretFileExposed

            raise SecretFileExposed(self.file)
        return self.file.read_text(encoding="utf-8").strip() or None
