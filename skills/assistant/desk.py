"""The assistant's desk: one request in, one answer out, on the local tier (fast fallback)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from agent.context.parts import hands_for, home_part, news_part, now_part
from agent.plugins.contract import Reply, SkillRouter, TextEvent
from agent.plugins.services import Clock
from agent.privacy.scopes import ContextPart
from agent.router.types import Message, ModelRequest, ToolSpec
from skills.assistant.prompt import INSTRUCTIONS

# A question about the news gets today's items as (untrusted) context up front.
_NEWS = re.compile(r"\b(news|headlines?)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Desk:
    """What the assistant works with: its bound router, granted tools and the clock."""

    router: SkillRouter
    tools: Mapping[str, ToolSpec]
    clock: Clock
    zone: ZoneInfo

    async def answer(self, event: TextEvent) -> Reply:
        """Answer `event` with the home as context; the person's text is the message."""
        parts: list[ContextPart] = [now_part(self.clock.now(), self.zone)]
        home = await home_part(self.tools)
        if home is not None:
            parts.append(home)
        if _NEWS.search(event.text):
            news = await news_part(self.tools)
            if news is not None:
                parts.append(news)
        request = ModelRequest(
            skill="assistant", system=INSTRUCTIONS, messages=[Message("user", event.text)],
            tools=hands_for(self.tools.values(), parts,
                            earlier_untrusted=event.earlier_untrusted),
            context=tuple(parts), earlier=event.earlier,
            earlier_untrusted=event.earlier_untrusted)
        response = await self.router.complete(request)
        return Reply(response.text, {"tier": response.tier_used, "untrusted": response.tainted,
                                     "withheld": sorted(response.withheld)})
