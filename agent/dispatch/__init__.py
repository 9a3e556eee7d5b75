"""The dispatcher: triggers in, the right skill run in isolation, a `DispatchResult` out.

    dispatcher = Dispatcher(skills, router, IntentMatcher(skills), tools)
    # or, discovering the installed skills: assemble(config, router, tools, slot_lists=...)
    result = await dispatcher.handle_text("turn off the kitchen light")
"""

from agent.dispatch.chooser import SkillChooser
from agent.dispatch.dispatcher import Dispatcher, DispatchRouter, assemble
from agent.dispatch.result import DispatchResult, Route, Status
from agent.dispatch.runner import SkillRunner, SkillStats

__all__ = [
    "DispatchResult",
    "DispatchRouter",
    "Dispatcher",
    "Route",
    "SkillChooser",
    "SkillRunner",
    "SkillStats",
    "Status",
    "assemble",
]
