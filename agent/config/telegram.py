"""The `[telegram]` section: a two-way chat with the household through a Telegram bot."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

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

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query or fragment")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _someone_to_answer(self) -> TelegramSection:
        if self.enabled and not self.allowed_chats:
            # Fail closed and loudly: a bot that answers nobody is a mistake, and one that
            # answered everybody would hand the house to strangers.
            raise ValueError("telegram.allowed_chats is empty: list the chat ids the bot may "
                             "answer (see docs/telegram.md), or set enabled = false")
        return self
