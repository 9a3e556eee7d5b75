"""The household's phones in the daemon: the Telegram chat (only when `[telegram] enabled`)
and, with `[[notify]]` entries, error notices and the delivery status."""

from __future__ import annotations

import logging
from typing import Any

from agent.daemon.component import CallbackComponent, Stage
from agent.daemon.core import Core
from agent.daemon.runtime import Runtime
from agent.errors import HearthError

log = logging.getLogger(__name__)


def add_telegram(runtime: Runtime, core: Core) -> None:
    """Start the Telegram chat with the daemon when it is enabled and its token is there.

    A missing token leaves the house running without the chat (one warning; `hearth
    doctor` says how to fix it): the phone is a convenience, the lights are not.
    """
    config = core.config.telegram
    if not config.enabled:
        return
    try:
        token = config.token.resolve()
    except HearthError as exc:
        log.warning("telegram: chat off: %s", exc)
        return
    if token is None:
        log.warning("telegram: chat off: no bot token in %s (see docs/telegram.md; "
                    "`hearth doctor` checks it)", config.token.describe())
        return
    from agent.channels.telegram import TelegramChannel

    channel = TelegramChannel(config, token=token, dispatcher=core.dispatcher, home=core.home,
                              state_dir=core.state_dir)
    if config.approvals == "all":
        # A chat's own requests get their buttons from the chat itself; "all" adds every
        # other pending action (a voice satellite's "unlock the front door").
        core.home.pending.watchers.append(channel.offer)

    async def status() -> dict[str, Any]:
        return channel.status()

    runtime.status_sources["telegram"] = status
    runtime.components.append(CallbackComponent("telegram", Stage.INTAKE, channel.start,
                                                channel.stop))


def add_push(runtime: Runtime, core: Core) -> None:
    """With `[[notify]]` entries: `hearth status` shows each service, and errors logged by
    hearth's own code reach the phones (rate-limited) while this runtime lives."""
    push = core.push
    if push is None:
        return
    from agent.notifiers.error_notices import ErrorNotices

    handler = ErrorNotices(push)
    root = logging.getLogger()
    root.addHandler(handler)
    # Closed before the core (pushed later on the same stack): no notice after the service.
    runtime.stack.callback(root.removeHandler, handler)

    async def status() -> dict[str, Any]:
        return {"services": push.status()}

    runtime.status_sources["notify"] = status
