"""One desk for the skills that answer open requests (assistant, advisor) with read-only context.

The request: the time and a home summary as context parts (news too when the skill asks for it
and the text is about the news), the person's text as the message, and device hands only when
no untrusted context came with it (`hands_for`). The skills differ only in their instructions,
whether news is fetched up front, and what they say when privacy settings withheld data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from agent.context.parts import hands_for, home_part, news_part, now_part
from agent.plugins.contract import Event, Reply, SkillContext, SkillRouter, TextEvent
from agent.plugins.services import Clock
from agent.privacy.scopes import ContextPart
from agent.router.types import Message, ModelRequest, ToolSpec


@dataclass(frozen=True, slots=True)
class ContextDesk:
    """A skill's bound router, granted tools and clock, and how it frames a request."""

    skill: str
    instructions: str
    router: SkillRouter
    tools: Mapping[str, ToolSpec]
    clock: Clock
    zone: ZoneInfo
    # Text matching this gets today's news items as (untrusted) context up front.
    news_words: re.Pattern[str] | None = None
    # Added to the answer, as its own sentence, when privacy settings withheld context.
    withheld_note: str | None = None

    async def handle(self, ctx: SkillContext, event: Event) -> Reply | None:
        """The skill's handler: free text is answered; other events are not for it."""
        if isinstance(event, TextEvent):
            return await self.answer(event)
        ctx.log.debug("%s: ignoring %s", self.skill, type(event).__name__)
        return None

    async def answer(self, event: TextEvent) -> Reply:
        """Answer `event` with the home as context; the person's text is the message."""
        parts: list[ContextPart] = [now_part(self.clock.now(), self.zone)]
        home = await home_part(self.tools)
        if home is not None:
            parts.append(home)
        if self.news_words is not None and self.news_words.search(event.text):
            news = await news_part(self.tools)
            if news is not None:
                parts.append(news)
        request = ModelRequest(
            skill=self.skill, system=self.instructions, messages=[Message("user", event.text)],
            tools=hands_for(self.tools.values(), parts,
                            earlier_untrusted=event.earlier_untrusted),
            context=tuple(parts), earlier=event.earlier,
            earlier_untrusted=event.earlier_untrusted)
        response = await self.router.complete(request)
        text = response.text
        if response.withheld and self.withheld_note:
            text = f"{text.rstrip()}\n\n{self.withheld_note}"
        return Reply(text, {"tier": response.tier_used, "untrusted": response.tainted,
                            "withheld": sorted(response.withheld)})
