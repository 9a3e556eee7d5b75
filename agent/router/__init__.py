"""Model routing: tiers none/local/fast/deep over Ollama and Claude, under the ledger's caps.

`Router` is built once by the daemon (or `hearth ask`) and handed to skills bound to their
declaration (`Router.bind`). The Anthropic SDK is imported only on the first cloud call.
"""

from agent.router.bound import BoundRouter
from agent.router.core import Router
from agent.router.types import (
    BackendHealth,
    Message,
    ModelRequest,
    ModelResponse,
    PlanStep,
    RoutePlan,
    Tier,
    ToolCall,
    ToolSpec,
)

__all__ = [
    "BackendHealth",
    "BoundRouter",
    "Message",
    "ModelRequest",
    "ModelResponse",
    "PlanStep",
    "RoutePlan",
    "Router",
    "Tier",
    "ToolCall",
    "ToolSpec",
]
