"""Saying a broker outage once, not once per reconnect attempt.

The bridge retries a missing broker forever (with back-off); a warning per attempt would
fill the journal during a long outage and bury the first line, the one that matters. So:
WARNING at the first failed connect of an outage, a reminder at most every few minutes,
DEBUG in between, and INFO "reconnected after N attempts" when the broker is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("agent.mqtt.bridge")

# At most one reminder per this many seconds while the broker stays away.
REMIND_EVERY = 300.0


class Outage:
    """One bridge's view of its broker being away: failed attempts, since when."""

    def __init__(self, where: str, *, remind_every: float = REMIND_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.where = where
        self.remind_every = remind_every
        self._clock = clock
        self.attempts = 0
        self._since = 0.0
        self._said_at = 0.0

    def failed(self, error: BaseException | None, retry_in: float) -> None:
        """A connect failed (`error` None: the connection closed before it was accepted)."""
        now = self._clock()
        self.attempts += 1
        why = str(error) if error is not None else "closed before it was accepted"
        if self.attempts == 1:
            self._since = self._said_at = now
            log.warning("MQTT broker %s unreachable (%s); retrying in %.1f s, and saying "
                        "so again only every %.0f s until it is back", self.where, why,
                        retry_in, self.remind_every)
        elif now - self._said_at >= self.remind_every:
            self._said_at = now
            log.warning("MQTT broker %s still unreachable after %d attempts over %.0f s (%s)",
                        self.where, self.attempts, now - self._since, why)
        else:
            log.debug("MQTT broker %s unreachable (%s); attempt %d, retry in %.1f s",
                      self.where, why, self.attempts, retry_in)

    def connected(self, connects: int, subscriptions: int) -> None:
        """The broker accepted a connection (the `connects`-th since start)."""
        if self.attempts:
            log.info("MQTT reconnected to %s after %d attempts (%.0f s away; %d "
                     "subscriptions)", self.where, self.attempts,
                     self._clock() - self._since, subscriptions)
        else:
            log.info("MQTT connected to %s (%d subscriptions, connect #%d)", self.where,
                     subscriptions, connects)
        self.attempts = 0
