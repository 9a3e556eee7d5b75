"""Sensitive actions waiting for a person: a one-time id, valid for a short time.

Locks, garage doors and alarms never actuate on a request alone (REFERENCE.md §9). The
request creates a pending action and publishes nothing; `hearth confirm ID` or a message on
`<prefix>/confirm` approves it. An expired or unknown id confirms nothing.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from agent.devices.model import DesiredState, Device, PlannedCommand

log = logging.getLogger(__name__)

# Unambiguous when read aloud or typed from a phone notification.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_MAX_PENDING = 100


@dataclass(frozen=True, slots=True)
class PendingAction:
    """A planned command for a sensitive device, held until confirmed or expired."""

    id: str
    device: Device
    desired: DesiredState
    command: PlannedCommand
    created_at: float
    expires_at: float
    requested_by: str = ""


class PendingActions:
    """The waiting room for sensitive actions. ``clock`` is monotonic seconds (a test seam)."""

    def __init__(self, timeout: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self._clock = clock
        self._items: dict[str, PendingAction] = {}

    def create(self, device: Device, desired: DesiredState, command: PlannedCommand, *,
               requested_by: str = "") -> PendingAction:
        """Hold `command` until confirmed; returns the pending action with its new id."""
        self._expire()
        if len(self._items) >= _MAX_PENDING:
            # Whoever floods requests must not grow memory; the oldest waits least usefully.
            oldest = min(self._items.values(), key=lambda p: p.created_at)
            del self._items[oldest.id]
        action_id = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        while action_id in self._items:
            action_id = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        now = self._clock()
        pending = PendingAction(action_id, device, desired, command, now, now + self.timeout,
                                requested_by)
        self._items[action_id] = pending
        log.info("pending action %s: %s %s (expires in %.0f s)", action_id, device.name,
                 desired.as_dict(), self.timeout)
        return pending

    def confirm(self, action_id: str) -> PendingAction | None:
        """Take the pending action `action_id` (once); None when unknown or expired."""
        self._expire()
        pending = self._items.pop(action_id.strip().lower(), None)
        if pending is None:
            log.warning("confirmation for unknown or expired action %r refused", action_id[:16])
        return pending

    def cancel(self, action_id: str) -> bool:
        """Drop a pending action; True when there was one."""
        return self._items.pop(action_id.strip().lower(), None) is not None

    def pending(self) -> list[PendingAction]:
        """Actions still waiting, oldest first."""
        self._expire()
        return sorted(self._items.values(), key=lambda p: p.created_at)

    def _expire(self) -> None:
        now = self._clock()
        for action_id in [k for k, p in self._items.items() if p.expires_at <= now]:
            expired = self._items.pop(action_id)
            log.info("pending action %s for %s expired unconfirmed", action_id,
                     expired.device.name)
