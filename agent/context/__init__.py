"""Read-only home context for models: device states, a short state history, news, spend.

    tools = make_context_tools(registry, exposure, db, ledger, clock=clock.now, zone=zone)
    history = StateHistory(db, registry, exposure.visible, config.history, clock.now)
    await history.sample()   # every [history] sample_seconds, from the daemon
"""

from agent.context.history import Change, StateHistory, changes
from agent.context.tools import CONTEXT_TOOLS, ContextTools, make_context_tools

__all__ = ["CONTEXT_TOOLS", "Change", "ContextTools", "StateHistory", "changes",
           "make_context_tools"]
