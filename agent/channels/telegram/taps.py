"""Approve/Deny taps: authenticated, single-use, bound to the chat the buttons went to.

A tap approves only when all hold: the tapping user may talk here (`Allowlist`), the
button's nonce is open, and it was sent to this very chat and message. Anything else is
refused; a refusal that names a real action is recorded in the approval history (path
"telegram"), so a forged tap shows up next to the approvals. Telegram always gets its
answerCallbackQuery (else the phone shows a spinner), and the buttons come off after use.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from agent.channels.telegram.api import BotApi
from agent.channels.telegram.offers import Offer, parse_data
from agent.channels.telegram.senders import Sender

if TYPE_CHECKING:
    from agent.channels.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)

PATH = "telegram"


class TapHandler:
    """Handles the ``callback_query`` updates of one channel."""

    def __init__(self, channel: TelegramChannel) -> None:
        self._channel = channel

    async def handle(self, query: dict[str, Any]) -> None:
        """Act on one tap (or refuse it), then answer it and tidy the buttons."""
        raw = query.get("message")
        message: dict[str, Any] = raw if isinstance(raw, dict) else {}
        sender = Sender.of(message.get("chat"), query.get("from"))
        notice, used = "", list[Offer]()
        try:
            notice, used = await self._act(query, message, sender)
        finally:
            query_id = query.get("id")
            if isinstance(query_id, str):
                await self._channel.call(BotApi.answer_callback_query, query_id, notice)
        for offer in used:
            if offer.message_id is not None:
                await self._channel.call(BotApi.remove_buttons, offer.chat_id, offer.message_id)
        if used and sender.chat_id is not None:
            await self._channel.say(sender.chat_id, notice)

    async def _act(self, query: dict[str, Any], message: dict[str, Any],
                   sender: Sender) -> tuple[str, list[Offer]]:
        parsed = parse_data(query.get("data"))
        offer = self._channel.offers.peek(parsed[1]) if parsed is not None else None
        if not self._channel.allowed(sender):
            if offer is not None:
                self._refuse(offer, f"tapped by user {sender.user_id} in chat "
                                    f"{sender.chat_id}, which may not approve")
            return "", []  # a stranger learns nothing
        if parsed is None:
            log.warning("telegram: chat %s sent a button value hearth never made",
                        sender.chat_id)
            return "Not a hearth button.", []
        if offer is None:
            return "This button is no longer valid (used, expired or from before a restart).", []
        if offer.chat_id != sender.chat_id or (
                offer.message_id is not None and offer.message_id != message.get("message_id")):
            self._refuse(offer, f"button used in chat {sender.chat_id}, not where it was sent")
            return "Not valid here.", []
        used = self._channel.offers.take(offer.nonce)
        verb = parsed[0]
        who = f"telegram chat {sender.chat_id} user {sender.user_id}"
        if verb == "approve":
            result = await self._channel.home.confirm(offer.action_id, path=PATH,
                                                       detail=who)
            self._channel.counts["approved"] += bool(result.get("ok"))
            outcome = str(result.get("reply") if result.get("ok") else result.get("error"))
        else:
            cancelled = self._channel.home.pending.cancel(offer.action_id, path=PATH,
                                                         detail=who)
            self._channel.counts["denied"] += cancelled
            outcome = (f"Denied: {offer.code} will not run." if cancelled
                       else f"Nothing to deny: {offer.code} was already used or expired.")
        log.info("telegram: %s of action %s from chat %s by user %s: %s", verb, offer.code,
                 sender.chat_id, sender.user_id, outcome)
        return outcome, used

    def _refuse(self, offer: Offer, reason: str) -> None:
        # The nonce stays open: a forged tap must not spend the household's button.
        self._channel.home.pending.refuse(offer.action_id, path=PATH, reason=reason)
