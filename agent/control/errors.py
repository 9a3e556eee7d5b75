"""Errors of the control socket, named for what the caller does next."""

from __future__ import annotations

from agent.errors import EX_SOFTWARE, EX_UNAVAILABLE, HearthError


class ControlError(HearthError):
    """The daemon was reached but the command failed (refused, timed out, garbled)."""

    exit_code = EX_SOFTWARE


class DaemonNotRunning(ControlError):
    """No daemon listens on the control socket: start hearth, or point at its socket."""

    exit_code = EX_UNAVAILABLE
