"""Noticing that another client took our MQTT session (the same client id connected).

A broker lets one connection per client id live: when a second one connects, the first is
closed. MQTT v5 brokers may say so (DISCONNECT reason 0x8E, "Session taken over"), but
many just close the socket (Mosquitto 2.0 does, on v5 too) and MQTT 3.1.1 has no reasons
at all; the victim only sees "Unspecified error". So each bridge also claims its id: on
every connect it publishes a random token of its own, retained, on
`hearth/session/<hash of the client id>`, after subscribing to that topic. When it comes
back after a lost connection and the broker hands it someone else's token, another client
connected with its id in between: the session was taken over.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

log = logging.getLogger("agent.mqtt.bridge")

# MQTT v5 DISCONNECT reason code "Session taken over".
SESSION_TAKEN_OVER = 0x8E
# Said at ERROR the first time and every this many times after; the fight repeats itself.
_SAY_EVERY = 100


class SessionClaim:
    """One bridge's claim on its client id, and what it has learnt about rivals."""

    def __init__(self, client_id: str, where: str) -> None:
        self.client_id = client_id
        self.where = where
        self.token = secrets.token_hex(8)
        digest = hashlib.sha256(client_id.encode("utf-8", "surrogateescape")).hexdigest()
        self.topic = f"hearth/session/{digest[:16]}"
        self.times = 0
        self._connects = 0
        # Set when this connection found a rival's claim: its loss is likely the next
        # takeover, so the reconnect backs off instead of joining the fight at full speed.
        self.contested = False

    def connected(self) -> None:
        """A new connection was accepted (call before publishing `token`)."""
        self._connects += 1
        self.contested = False

    def seen(self, payload: bytes, *, retained: bool) -> None:
        """A message on `topic`: our own token, or a rival's."""
        if not retained or payload.decode("utf-8", "replace") in ("", self.token):
            return
        # On the first connect, the retained token is most likely our own previous run's.
        if self._connects > 1:
            self.contested = True
            self.taken_over("another client connected with this id while we were away")

    def taken_over(self, how: str) -> None:
        """Say (once, then rarely) that the session was taken over, naming the client id."""
        self.times += 1
        level = logging.ERROR if self.times % _SAY_EVERY == 1 else logging.DEBUG
        log.log(level, "MQTT session taken over at %s: %s, client id %r (%d times so far); "
                "give each hearth its own mqtt.client_id, or leave it unset for one per "
                "state directory", self.where, how, self.client_id, self.times)
