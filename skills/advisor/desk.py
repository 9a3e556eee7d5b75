"""The advisor's desk: one request, thought through on the deep tier, with read-only data."""

from __future__ import annotations

from agent.plugins.desk import ContextDesk
from agent.plugins.services import Services
from skills.advisor.prompt import INSTRUCTIONS

WITHHELD = ("I could not use the home's states/history: [privacy] cloud_scopes does not "
            "allow them.")


def desk_for(services: Services) -> ContextDesk:
    """The advisor's framing of a request over this runtime's services."""
    return ContextDesk("advisor", INSTRUCTIONS, services.router, services.tools,
                       services.clock, services.zone, withheld_note=WITHHELD)
