"""A two-way Telegram chat: allowlisted chats ask through the dispatcher and approve
sensitive actions with single-use buttons. See docs/telegram.md."""

from agent.channels.telegram.api import BotApi
from agent.channels.telegram.channel import TelegramChannel

__all__ = ["BotApi", "TelegramChannel"]
