"""The bridge's connection state: one enum, and futures for whoever waits on a change.

One value says where the bridge is, instead of a handful of flags and events that had to
agree with each other. Waiters get a future that resolves the moment the state enters one
of the states they asked for; nothing polls.

    STOPPED ──start()──▶ CONNECTING ──CONNACK──▶ CONNECTED
                           ▲     │ refused, unreachable   │ lost
                           │     ▼                         ▼
                           └── BACKING_OFF ◀──────────────┘
    any state ──stop()──▶ STOPPING ──▶ STOPPED
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable


class ConnState(enum.Enum):
    """Where the bridge's one connection is."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    BACKING_OFF = "backing off"
    STOPPING = "stopping"


# States in which the bridge will not connect again.
ENDING = frozenset({ConnState.STOPPING, ConnState.STOPPED})
# States that mean "this connection is over" to whoever waits on one.
DOWN = frozenset({ConnState.BACKING_OFF, *ENDING})


class StateMachine:
    """The current `ConnState`, its transitions, and futures resolved on entry to a state.

    ``on_change(old, new)`` runs on every real transition, before the waiters wake.
    """

    def __init__(self, on_change: Callable[[ConnState, ConnState], None] | None = None) -> None:
        self.state = ConnState.STOPPED
        self._on_change = on_change
        self._waiters: list[tuple[frozenset[ConnState], asyncio.Future[ConnState]]] = []

    def enter(self, new: ConnState) -> None:
        """Move to `new` and wake whoever waits for it (a no-op when already there)."""
        old, self.state = self.state, new
        if old is new:
            return
        if self._on_change is not None:
            self._on_change(old, new)
        keep: list[tuple[frozenset[ConnState], asyncio.Future[ConnState]]] = []
        for states, future in self._waiters:
            if future.done():
                continue  # its waiter gave up
            if new in states:
                future.set_result(new)
            else:
                keep.append((states, future))
        self._waiters = keep

    def when(self, states: frozenset[ConnState] | set[ConnState]) -> asyncio.Future[ConnState]:
        """A future resolved with the state once the bridge is in one of `states` (at once
        when it is now). Cancel it to stop waiting; call on the loop."""
        future: asyncio.Future[ConnState] = asyncio.get_running_loop().create_future()
        if self.state in states:
            future.set_result(self.state)
        else:
            self._waiters.append((frozenset(states), future))
        return future

    async def wait(self, states: frozenset[ConnState] | set[ConnState],
                   timeout: float | None) -> bool:
        """Wait until the bridge is in one of `states`, at most `timeout` s; True if so."""
        future = self.when(states)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        return True
