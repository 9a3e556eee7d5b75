"""One check's outcome, and the context every check reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from agent.config.root import HearthConfig


class Status(Enum):
    """PASS, WARN and SKIP leave the exit code at 0; any FAIL makes it 1."""

    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    WARN = "WARN"  # works, but unsafe as set up: the fix says what to change
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check found: a one-line detail, and for a failure, how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    @classmethod
    def ok(cls, name: str, detail: str) -> CheckResult:
        """A passed check."""
        return cls(name, Status.PASS, detail)

    @classmethod
    def fail(cls, name: str, detail: str, fix: str) -> CheckResult:
        """A failed check; `fix` says what to do about it."""
        return cls(name, Status.FAIL, detail, fix)

    @classmethod
    def warn(cls, name: str, detail: str, fix: str) -> CheckResult:
        """A check that passed in a way that leaves a risk; `fix` says how to remove it."""
        return cls(name, Status.WARN, detail, fix)

    @classmethod
    def skip(cls, name: str, detail: str) -> CheckResult:
        """A check that could not run or does not apply."""
        return cls(name, Status.SKIP, detail)


@dataclass(frozen=True, slots=True)
class DoctorContext:
    """What the checks share: the loaded config and where it came from."""

    config: HearthConfig
    config_path: Path | None
    environ: Mapping[str, str]
    timeout: float = 3.0
    # Fails the disk check below this many free bytes.
    min_free_bytes: int = 200 * 1024 * 1024
    # `timedatectl`-compatible command that prints yes/no; None skips straight to the year.
    clock_command: tuple[str, ...] | None = field(
        default=("timedatectl", "show", "-p", "NTPSynchronized", "--value"))
    # Enabled skills whose tier runs on Claude; None when unknown (the key is then required).
    cloud_skills: tuple[str, ...] | None = None
    # Present only when systemd runs the machine; without it timedatectl can only fail.
    systemd_dir: Path = Path("/run/systemd/system")
