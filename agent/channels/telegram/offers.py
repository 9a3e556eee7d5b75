"""Approve/Deny buttons: a short random nonce in the button, the action id kept here.

A pending action's full id is a capability (whoever holds it may approve), so it never goes
to Telegram. Each button pair carries a fresh nonce that is single-use, bound to the chat it
was sent to, and forgotten with the action.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from typing import Literal

# callback_data is at most 64 bytes; "ap:" plus 16 URL-safe characters (96 bits).
NONCE_BYTES = 12
_DATA_RE = re.compile(r"^(ap|dn):([A-Za-z0-9_-]{16})$")
# Offers older than this many are dropped first: taps on them answer "expired".
_MAX_OFFERS = 200

Verb = Literal["approve", "deny"]


@dataclass(frozen=True, slots=True)
class Offer:
    """One Approve/Deny pair: which action, in which chat, on which message."""

    nonce: str
    action_id: str
    code: str
    chat_id: int
    message_id: int | None = None


def parse_data(data: object) -> tuple[Verb, str] | None:
    """A button's callback_data as (verb, nonce); None for anything else (a forged value)."""
    if not isinstance(data, str):
        return None
    found = _DATA_RE.fullmatch(data)
    if found is None:
        return None
    return ("approve" if found.group(1) == "ap" else "deny"), found.group(2)


def keyboard(nonce: str) -> dict[str, object]:
    """The inline keyboard for one offer."""
    return {"inline_keyboard": [[{"text": "Approve", "callback_data": f"ap:{nonce}"},
                                 {"text": "Deny", "callback_data": f"dn:{nonce}"}]]}


class Offers:
    """The open offers, by nonce. In memory: a restart voids every button (and every
    pending action with it, since the waiting room is in memory too)."""

    def __init__(self, limit: int = _MAX_OFFERS) -> None:
        self._by_nonce: dict[str, Offer] = {}
        self._limit = limit

    def __len__(self) -> int:
        return len(self._by_nonce)

    def new(self, action_id: str, code: str, chat_id: int) -> Offer:
        """A fresh offer of `action_id` to `chat_id`."""
        while len(self._by_nonce) >= self._limit:
            del self._by_nonce[next(iter(self._by_nonce))]  # oldest first (insertion order)
        offer = Offer(secrets.token_urlsafe(NONCE_BYTES), action_id, code, chat_id)
        self._by_nonce[offer.nonce] = offer
        return offer

    def sent(self, nonce: str, message_id: int) -> None:
        """Remember which message carries the buttons (to take them off later)."""
        offer = self._by_nonce.get(nonce)
        if offer is not None:
            self._by_nonce[nonce] = replace(offer, message_id=message_id)

    def peek(self, nonce: str) -> Offer | None:
        """The offer behind `nonce`, left in place."""
        return self._by_nonce.get(nonce)

    def take(self, nonce: str) -> list[Offer]:
        """Use `nonce`: its offer first, then every other offer of the same action (now
        void); [] when the nonce is unknown or already used."""
        offer = self._by_nonce.pop(nonce, None)
        if offer is None:
            return []
        others = [o for o in self._by_nonce.values() if o.action_id == offer.action_id]
        for other in others:
            del self._by_nonce[other.nonce]
        return [offer, *others]

    def forget_gone(self, live_ids: set[str]) -> list[Offer]:
        """Drop offers whose action is no longer pending; the dropped ones."""
        gone = [o for o in self._by_nonce.values() if o.action_id not in live_ids]
        for offer in gone:
            del self._by_nonce[offer.nonce]
        return gone
