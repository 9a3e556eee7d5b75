"""Who sent an update, and whether hearth answers them.

A chat is answered only when its id is allowlisted, and then only from its own person (a
private chat's id is its user's id) or from an allowlisted user (in a group). Anonymous
group admins and channels post under a stand-in ``from``, so they match neither rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Sender:
    """The chat an update came from and the user who sent it (None when Telegram gave none)."""

    chat_id: int | None
    chat_type: str
    user_id: int | None
    is_bot: bool = False

    @classmethod
    def of(cls, chat: object, user: object) -> Sender:
        """From a Chat and a User object as Telegram sends them (anything else: nobody)."""
        chat_map: Mapping[str, Any] = chat if isinstance(chat, dict) else {}
        user_map: Mapping[str, Any] = user if isinstance(user, dict) else {}
        chat_id, user_id = chat_map.get("id"), user_map.get("id")
        chat_type = chat_map.get("type")
        return cls(chat_id if _is_id(chat_id) else None,
                   chat_type if isinstance(chat_type, str) else "",
                   user_id if _is_id(user_id) else None,
                   user_map.get("is_bot") is True)

    @property
    def key(self) -> tuple[int | None, int | None]:
        """What a refusal is logged once for: the chat, and the user within it."""
        return self.chat_id, self.user_id


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Allowlist:
    """`allowed_chats` and `allowed_users` from the config, applied to a Sender."""

    def __init__(self, chats: tuple[int, ...], users: tuple[int, ...]) -> None:
        self.chats = frozenset(chats)
        self.users = frozenset(users)

    def allows(self, sender: Sender) -> bool:
        """True when hearth answers (and takes approvals from) this sender in this chat."""
        if sender.chat_id is None or sender.user_id is None or sender.is_bot:
            return False
        if sender.chat_id not in self.chats:
            return False
        if sender.chat_type == "private":
            return sender.user_id == sender.chat_id
        return sender.user_id in self.users
