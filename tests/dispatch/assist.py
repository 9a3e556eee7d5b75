"""An opened core with the real assistant and advisor skills, on the fake model servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

from agent.config import HearthConfig
from agent.credentials import ApiKey
from agent.daemon.core import Core, open_core
from agent.plugins import GROUP
from tests.support.fake_ollama import answer as ollama_answer
from tests.support.model_fixtures import HttpRequest

KEY = ApiKey("sk-ant-api03-" + "d" * 40)
CHOOSER = "You route one household request"
BUILT_INS = [EntryPoint("assistant", "skills.assistant:skill", GROUP),
             EntryPoint("advisor", "skills.advisor:skill", GROUP),
             EntryPoint("home", "skills.home:skill", GROUP)]


def household(state_dir: Path, ollama: str, claude: str, **sections: Any) -> HearthConfig:
    """Quick failures, Berlin time, one light, and extra sections."""
    return HearthConfig.model_validate({
        "hearth": {"state_dir": str(state_dir), "timezone": "Europe/Berlin"},
        "ollama": {"host": ollama, "timeout": 5},
        "anthropic": {"base_url": claude, "timeout": 5},
        "router": {"max_attempts": 1, "deadline": 20, **sections.pop("router", {})},
        "devices": [{"name": "kitchen light", "kind": "light", "protocol": "topic",
                     "area": "kitchen", "command_topic": "t/kitchen/set"}],
        **sections})


@asynccontextmanager
async def assisted(config: HearthConfig, *, key: ApiKey | None = KEY,
                   points: list[EntryPoint] | None = None) -> AsyncIterator[Core]:
    """The core the daemon opens, with only the built-ins named (no broker)."""
    assert config.hearth.state_dir is not None
    async with open_core(config, Path(config.hearth.state_dir), bridge=None, api_key=key,
                         entry_points=points or BUILT_INS) as core:
        yield core


def chooser_picks(skill: str, then: str = "An answer.") -> Any:
    """Fake-Ollama responder: the chooser picks `skill`; anything else gets `then`."""
    def respond(request: HttpRequest) -> Any:
        messages = request.json.get("messages", [])
        if messages and messages[0]["role"] == "system" and messages[0]["content"].startswith(
                CHOOSER):
            return ollama_answer(json={"skill": skill, "arguments": {}})
        return ollama_answer(then)
    return respond
