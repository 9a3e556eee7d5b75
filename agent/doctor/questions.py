"""`hearth doctor`'s questions line: which tiers could answer a question, from the checks.

No probe of its own: the Ollama and key checks already ran. The advisor's budget left is the
daemon's to say (`hearth status`); doctor opens no ledger for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.config.load import load_config
from agent.control.questions import question_tiers
from agent.doctor.local import LOCAL_ONLY
from agent.doctor.result import CheckResult, Status
from agent.errors import ConfigError


def questions_section(config_path: Path | None,
                      results: list[CheckResult]) -> dict[str, Any] | None:
    """The questions section for the config the checks ran on; None when it is invalid."""
    by_name = {r.name: r for r in results}
    if by_name.get("config") is None or by_name["config"].status is not Status.PASS:
        return None
    try:
        config = load_config(config_path)
    except ConfigError:
        return None
    ollama = by_name.get("ollama")
    key = by_name.get("anthropic key")
    return question_tiers(
        config,
        ollama_ok=ollama is not None and ollama.status is Status.PASS,
        key_present=key is not None and key.status is Status.PASS and key.detail != LOCAL_ONLY)
