"""The dispatcher: triggers in, the right skill run in isolation, a `DispatchResult` out.

    dispatcher = Dispatcher(skills, router, IntentMatcher(skills), services, ledger=ledger)
    # services: {name: Services}, built by agent.plugins.provide (daemon/core.py opens it all)
    result = await dispatcher.handle_text("turn off the kitchen light")
"""

from agent.dispatch.chooser import SkillChooser
from agent.dispatch.dispatcher import (
    Dispatcher,
    DispatchRouter,
    NoneLedger,
    cloud_opt_in,
    none_record,
)
from agent.dispatch.result import DispatchResult, Route, Status
from agent.dispatch.runner import SkillRunner, SkillStats

__all__ = [
    "DispatchResult",
    "DispatchRouter",
    "Dispatcher",
    "NoneLedger",
    "Route",
    "SkillChooser",
    "SkillRunner",
    "SkillStats",
    "Status",
    "cloud_opt_in",
    "none_record",
]
