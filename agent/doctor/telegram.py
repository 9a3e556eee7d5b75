"""Check of the Telegram bot: its token is set and accepted (getMe). No message is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.config.base import SecretRef
from agent.doctor.local import unit_secret
from agent.doctor.result import CheckResult, DoctorContext
from agent.errors import CredentialRefused, TelegramError, TelegramTokenRefused

if TYPE_CHECKING:
    from agent.channels.telegram.api import BotApi

NAME = "telegram"
_BOTFATHER = ("create a bot with @BotFather in Telegram (/newbot) and put its token in "
              "{where}; see docs/telegram.md")


def _client(ctx: DoctorContext, ref: SecretRef) -> BotApi | CheckResult:
    """A Bot API client with the configured token, or the failure that prevents one."""
    from agent.channels.telegram.api import BotApi

    try:
        token = ref.resolve(dict(ctx.environ))
    except CredentialRefused as exc:
        return CheckResult.fail(NAME, str(exc).split("; ")[0], "chmod 600 the token file")
    if token is None:
        return CheckResult.fail(NAME, f"no bot token in {ref.describe()}",
                                _BOTFATHER.format(where=ref.describe()))
    try:
        return BotApi(ctx.config.telegram.api_url, token, timeout=ctx.timeout)
    except TelegramTokenRefused as exc:
        return CheckResult.fail(NAME, f"the token in {ref.describe()}: {exc}",
                                _BOTFATHER.format(where=ref.describe()))


async def check_telegram(ctx: DoctorContext) -> CheckResult:
    """SKIP when the chat is off; FAIL when the token is missing or refused, or the API is
    unreachable; PASS with the bot's @username."""
    cfg = ctx.config.telegram
    if not cfg.enabled:
        return CheckResult.skip(NAME, "telegram.enabled is false")
    ref = unit_secret(cfg.token)
    api = _client(ctx, ref)
    if isinstance(api, CheckResult):
        return api
    try:
        me = await api.get_me()
    except TelegramTokenRefused as exc:
        return CheckResult.fail(NAME, f"Telegram refused the token in {ref.describe()} "
                                      f"({exc.status})",
                                "the token was revoked or mistyped: copy it again from "
                                "@BotFather (/token)")
    except TelegramError as exc:
        return CheckResult.fail(NAME, f"cannot use the Bot API at {cfg.api_url}: {exc}",
                                "check the network (hearth must reach api.telegram.org "
                                "on port 443), or telegram.api_url")
    finally:
        await api.aclose()
    chats = len(cfg.allowed_chats)
    return CheckResult.ok(NAME, f"bot @{me.get('username', '?')} answers {chats} allowed "
                                f"chat{'s' if chats != 1 else ''}")
