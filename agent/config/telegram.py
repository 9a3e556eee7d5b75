"""The `[telegram]` section: a two-way chat with the household through a Telegram bot."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agent.config.base import SecretRef, Section


class TelegramSection(Section):
    """A Telegram bot that answers only allowlisted chats (long polling, no inbound port)."""

    enabled: bool = False
    # The bot token from @BotFather, by reference (it is a password: whoever has it is the bot).
    token: SecretRef = SecretRef(env="HEARTH_TELEGRAM_TOKEN")
    # Chats the bot answers (a private chat's id is the person's user id; groups are negative).
    allowed_chats: tuple[int, ...] = ()
    # Who may approve in an allowed group chat; empty: anyone in an allowed private chat only.
    allowed_users: tuple[int, ...] = ()
    # Pending confirmations sent with Approve/Deny buttons: the chat's own, or every one.
    approvals: Literal["own", "all"] = "own"
    api_url: str = "https://api.telegram.org"
    poll_timeout: int = Field(50, ge=1, le=120)
