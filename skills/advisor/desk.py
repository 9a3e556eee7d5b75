"""The advisor's desk: one request, thought through on the deep tier, with read-only data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from agent.context.parts import hands_for, home_part, now_part
from agent.plugins.contract import Reply, SkillRouter, TextEvent
from agent.plugins.services import Clock
from agent.privacy.scopes import ContextPart
from agent.router.types import Message, ModelRequest, ToolSpec
from skills.advisor.prompt import INSTRUCTIONS

WITHHELD = ("I could not use the home's states/history: [privacy] cloud_scopes does not "
            "allow them.")


@dataclass(frozen=True, slots=True)
class Desk:
    """What the advisor works with: its bound router, granted tools and the clock."""

    router: SkillRouter
    tools: Mapping[str, ToolSpec]
    clock: Clock
    zone: ZoneInfo

    async def answer(self, event: TextEvent) -> Reply:
        """Answer `event`; say so in one sentence when privacy settings withheld data."""
        parts: list[ContextPart] = [now_part(self.clock.now(), self.zone)]
        home = await home_part(self.tools)
        if home is not None:
            parts.append(home)
        request = ModelRequest(
            skill="advisor", system=INSTRUCTIONS, messages=[Message("user", event.text)],
            tools=hands_for(self.tools.values(), parts,
                            earlier_untrusted=event.earlier_untrusted),
            context=tuple(parts), earlier=event.earlier,
            earlier_untrusted=event.earlier_untrusted)
        response = await self.router.complete(request)
        text = response.text
        if response.withheld:
            text = f"{text.rstrip()}\n\n{WITHHELD}"
        return Reply(text, {"tier": response.tier_used, "untrusted": response.tainted,
                            "withheld": sorted(response.withheld)})
