"""Sensitive actions waiting for a person: an unguessable, single-use id, valid briefly.

Locks, garage doors and alarms never actuate on a request alone. The
request creates a pending action and publishes nothing; the household approves it by its id
(`hearth confirm ID` over the control socket; over MQTT only when `[approval] mqtt` is on).

An id is a capability, so it is long enough that guessing is hopeless: 20 characters of a
31-letter alphabet (99 bits), shown in groups of five (``k7m2q-a9xrt-3hbnw-pe4cz``) to copy
from a notification. Dashes, spaces and case do not matter when it is typed back. Logs and
the history name an action by its first group (the *code*) only, never by the whole id.

Every outcome is reported to ``on_event`` (approval, refusal, expiry, cancellation) so the
daemon can record it; the room itself is in memory and bounded.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from agent.devices.model import DesiredState, Device, PlannedCommand

log = logging.getLogger(__name__)

# Unambiguous when read aloud or typed from a phone notification (no 0/o, 1/l/i).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ID_CHARS = 20   # 20 * log2(31) = 99 bits of randomness
GROUP = 5
_MAX_PENDING = 100

EventKind = Literal["requested", "approved", "refused", "expired", "cancelled"]


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

    @property
    def code(self) -> str:
        """The id's first group: names the action in logs and history, approves nothing."""
        return self.id[:GROUP]


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """One thing that happened to a pending action (or to an attempt to approve one)."""

    kind: EventKind
    code: str
    path: str            # "control", "mqtt", "request" (the requester), "timer"
    device: str = ""
    topic: str = ""
    payload: str = ""
    detail: str = ""
    requested_by: str = ""


OnEvent = Callable[[PendingEvent], None]
# Told of every new pending action (whole, id included): a phone chat offers Approve/Deny
# buttons for it, a notifier says that something waits (by its code only).
Watcher = Callable[[PendingAction], None]


def new_id() -> str:
    """A fresh action id: ID_CHARS random letters in dash-separated groups of GROUP."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(ID_CHARS))
    return "-".join(raw[i:i + GROUP] for i in range(0, ID_CHARS, GROUP))


def normalise_id(text: str) -> str | None:
    """The canonical form of a typed id (case, spaces, dashes ignored); None if it is not one."""
    raw = "".join(c for c in text.lower() if c not in "- \t")
    if len(raw) != ID_CHARS or any(c not in _ALPHABET for c in raw):
        return None
    return "-".join(raw[i:i + GROUP] for i in range(0, ID_CHARS, GROUP))


def code_of(text: str) -> str:
    """What may be logged about an id someone typed: at most its first group, printable."""
    return "".join(c for c in text.lower() if c.isalnum())[:GROUP]


class PendingActions:
    """The waiting room for sensitive actions. ``clock`` is monotonic seconds (a test seam)."""

    def __init__(self, timeout: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 on_event: OnEvent | None = None) -> None:
        self.timeout = timeout
        self._clock = clock
        self._items: dict[str, PendingAction] = {}
        self.on_event = on_event
        self.watchers: list[Watcher] = []

    def create(self, device: Device, desired: DesiredState, command: PlannedCommand, *,
               requested_by: str = "") -> PendingAction:
        """Hold `command` until confirmed; returns the pending action with its new id."""
        self._expire()
        if len(self._items) >= _MAX_PENDING:
            # Whoever floods requests must not grow memory; the oldest waits least usefully.
            oldest = min(self._items.values(), key=lambda p: p.created_at)
            del self._items[oldest.id]
            self._emit("expired", oldest, "timer", "dropped: too many pending actions")
        action_id = new_id()
        while action_id in self._items:
            action_id = new_id()
        now = self._clock()
        pending = PendingAction(action_id, device, desired, command, now, now + self.timeout,
                                requested_by)
        self._items[action_id] = pending
        log.info("pending action %s: %s %s (expires in %.0f s)", pending.code, device.name,
                 desired.as_dict(), self.timeout)
        self._emit("requested", pending, "request")
        for watcher in self.watchers:
            try:
                watcher(pending)
            except Exception:
                # A broken notifier must not lose the household's request.
                log.exception("pending action %s: a watcher failed", pending.code)
        return pending

    def confirm(self, action_id: str, *, path: str = "control",
                detail: str = "") -> PendingAction | None:
        """Take the pending action `action_id` (once); None when unknown, used or expired.

        `detail` says who approved within `path` (e.g. the chat and user), for the history."""
        self._expire()
        key = normalise_id(action_id)
        pending = self._items.pop(key, None) if key is not None else None
        if pending is None:
            log.warning("confirmation over %s for unknown or expired action %r refused",
                        path, code_of(action_id))
            self._emit_refusal(action_id, path, "unknown, already used or expired")
            return None
        self._emit("approved", pending, path, detail)
        return pending

    def refuse(self, action_id: str, *, path: str, reason: str) -> None:
        """Record an approval attempt turned away before it reached the room (wrong path)."""
        log.warning("confirmation over %s refused for %r: %s", path, code_of(action_id), reason)
        self._emit_refusal(action_id, path, reason)

    def cancel(self, action_id: str, *, path: str = "control", detail: str = "") -> bool:
        """Drop a pending action (the household said no); True when there was one."""
        key = normalise_id(action_id)
        pending = self._items.pop(key, None) if key is not None else None
        if pending is None:
            return False
        self._emit("cancelled", pending, path, detail)
        return True

    def cancel_all(self, *, path: str, detail: str = "") -> int:
        """Drop every pending action (their holder is going away); how many there were."""
        dropped = list(self._items.values())
        self._items.clear()
        for action in dropped:
            self._emit("cancelled", action, path, detail)
        return len(dropped)

    def pending(self) -> list[PendingAction]:
        """Actions still waiting, oldest first."""
        self._expire()
        return sorted(self._items.values(), key=lambda p: p.created_at)

    def expire_now(self) -> None:
        """Expire what is due (the daemon calls this now and then, so expiry gets recorded)."""
        self._expire()

    def _expire(self) -> None:
        now = self._clock()
        for action_id in [k for k, p in self._items.items() if p.expires_at <= now]:
            expired = self._items.pop(action_id)
            log.info("pending action %s for %s expired unconfirmed", expired.code,
                     expired.device.name)
            self._emit("expired", expired, "timer")

    def _emit(self, kind: EventKind, action: PendingAction, path: str, detail: str = "") -> None:
        if self.on_event is None:
            return
        self.on_event(PendingEvent(kind, action.code, path, action.device.id,
                                   action.command.topic, action.command.payload, detail,
                                   action.requested_by))

    def _emit_refusal(self, action_id: str, path: str, detail: str) -> None:
        if self.on_event is not None:
            self.on_event(PendingEvent("refused", code_of(action_id), path, detail=detail))
