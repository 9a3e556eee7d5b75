"""Kept for imports from before the error tree moved: the classes live in `agent.errors`."""

from agent.errors import ControlError, DaemonNotRunning

__all__ = ["ControlError", "DaemonNotRunning"]
