"""Which tiers can answer a question right now: the "questions" line of doctor and status.

`question_tiers` turns the config and what was just probed (Ollama, the key) into a JSON-able
section; `questions_line` renders it, e.g.
``local ✓ qwen2.5:1.5b | dispatcher: local (cloud: off) | fast ✓ | deep ✓ (advisor budget
$0.18 left today)``. Pure: no probe, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.config.root import HearthConfig
from agent.words import money

TIERS = ("local", "fast", "deep")


def question_tiers(config: HearthConfig, *, ollama_ok: bool, key_present: bool,
                   cloud_halted: str | None = None,
                   advisor_left_micros: int | None = None) -> dict[str, Any]:
    """Each tier's state (``ok`` None: not configured), and where the dispatcher runs."""
    tiers: dict[str, Any] = {}
    for name in TIERS:
        tier = config.tiers.get(name)
        if tier is None:
            tiers[name] = {"ok": None, "model": None, "why": "not configured"}
        elif tier.backend == "ollama":
            tiers[name] = {"ok": ollama_ok, "model": tier.model,
                           "why": None if ollama_ok else "Ollama down"}
        else:
            why = "no API key" if not key_present else cloud_halted
            tiers[name] = {"ok": why is None, "model": tier.model, "why": why}
    route = config.router.skills.get("dispatcher")
    cloud = route is not None and route.allow_cloud is True
    if tiers["local"]["ok"]:
        where: str | None = "local"
    elif cloud and tiers["fast"]["ok"]:
        where = "fast"
    else:
        where = None
    return {**tiers, "dispatcher": {"tier": where, "cloud": cloud},
            "advisor_left_micros": advisor_left_micros}


def questions_line(section: Mapping[str, Any]) -> str:
    """The one-line form (tolerates a section from an older or newer daemon)."""
    parts = [_tier(section, name) for name in TIERS]
    parts.insert(1, _dispatcher(section.get("dispatcher")))
    return " | ".join(parts)


def _tier(section: Mapping[str, Any], name: str) -> str:
    tier = section.get(name)
    if not isinstance(tier, Mapping) or tier.get("ok") is None:
        return f"{name} -"
    text = f"{name} {'✓' if tier['ok'] else '✗'}"
    if name == "local" and tier.get("model"):
        text += f" {tier['model']}"
    if not tier["ok"] and tier.get("why"):
        text += f" ({tier['why']})"
    left = section.get("advisor_left_micros")
    if name == "deep" and isinstance(left, int):
        text += f" (advisor budget {money(left)} left today)"
    return text


def questions_warning(section: Mapping[str, Any]) -> str | None:
    """Why no free-text question can be answered, with the fix; None when one can."""
    dispatcher = section.get("dispatcher")
    if not isinstance(dispatcher, Mapping) or dispatcher.get("tier") is not None:
        return None
    if dispatcher.get("cloud"):
        return ("no tier can choose a skill (local and fast are both down): start Ollama, "
                "or check the API key")
    return ("no local model is answering and the dispatcher may not use the cloud: start "
            "Ollama, or set [router.skills.dispatcher] allow_cloud = true (cues such as "
            "\"ask Claude\" still work)")


def _dispatcher(dispatcher: Any) -> str:
    if not isinstance(dispatcher, Mapping):
        return "dispatcher: ?"
    cloud = "on" if dispatcher.get("cloud") else "off"
    return f"dispatcher: {dispatcher.get('tier') or 'none'} (cloud: {cloud})"
