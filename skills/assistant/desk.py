"""The assistant's desk: one request in, one answer out, on the local tier (fast fallback)."""

from __future__ import annotations

import re

from agent.plugins.desk import ContextDesk
from agent.plugins.services import Services
from skills.assistant.prompt import INSTRUCTIONS

# A question about the news gets today's items as (untrusted) context up front.
NEWS_WORDS = re.compile(r"\b(news|headlines?)\b", re.IGNORECASE)


def desk_for(services: Services) -> ContextDesk:
    """The assistant's framing of a request over this runtime's services."""
    return ContextDesk("assistant", INSTRUCTIONS, services.router, services.tools,
                       services.clock, services.zone, news_words=NEWS_WORDS)
