"""Context parts the assistant and advisor add to their requests: the home, and the time.

The home summary is stable (rendered inside the cached prefix); the time is volatile and
never goes in `system`, so the prefix stays byte-identical from call to call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from agent.context.tools import HOME_SUMMARY, NEWS_TODAY
from agent.privacy.scopes import ContextPart
from agent.router.types import ToolSpec

log = logging.getLogger(__name__)


def now_part(moment: datetime, zone: ZoneInfo) -> ContextPart:
    """"2026-12-01 18:04, Tuesday (Europe/Berlin)": reveals nothing, so no scope."""
    local = moment.astimezone(zone)
    return ContextPart("now", f"{local:%Y-%m-%d %H:%M}, {local:%A} ({zone.key})",
                       scopes=frozenset())


async def home_part(tools: Mapping[str, ToolSpec]) -> ContextPart | None:
    """The home summary as a stable part, when the skill was granted `home_summary`."""
    spec = tools.get(HOME_SUMMARY)
    if spec is None:
        return None
    result = await spec.handler({})
    if not result.ok:
        log.warning("home summary unavailable: %s", result.text)
        return None
    return ContextPart("home", result.text, scopes=frozenset({"devices"}), stable=True)


async def news_part(tools: Mapping[str, ToolSpec]) -> ContextPart | None:
    """Today's news as an untrusted part (the request then gets no actuating tool)."""
    spec = tools.get(NEWS_TODAY)
    if spec is None:
        return None
    result = await spec.handler({})
    return ContextPart("news", result.text, scopes=frozenset({"news"}), untrusted=True)


def hands_for(tools: Iterable[ToolSpec], parts: Iterable[ContextPart], *,
              earlier_untrusted: bool = False) -> tuple[ToolSpec, ...]:
    """`tools` minus every actuating one when any part (or earlier turn) is untrusted.

    The router applies the same rule before every model call; doing it here too keeps the
    request a skill builds honest on its own.
    """
    tainted = earlier_untrusted or any(p.untrusted for p in parts)
    return tuple(sorted((t for t in tools if not (tainted and t.actuates)),
                        key=lambda t: t.name))
