"""`[[rules]]`: a message on a topic (optionally with a payload or a JSON field value)
triggers a skill action, with no model involved.

The daemon subscribes to `RuleMatcher.topics()` and calls `match` for every inbound
message, then hands each hit to the dispatcher as an action (`handle_action(skill, action,
args)`). Retained messages never fire a rule: a button press retained by the broker would
otherwise toggle the light again on every restart.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.config.home import RuleSection
from agent.mqtt.payload import load_json
from agent.mqtt.topics import topic_matches

log = logging.getLogger(__name__)

_MISSING = object()


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule that fired: which skill action to run, and with what."""

    index: int
    skill: str
    action: str
    args: Mapping[str, Any] = field(default_factory=dict)


def _field(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return _MISSING
    return doc


class RuleMatcher:
    """The configured rules, matched against inbound messages."""

    def __init__(self, rules: Sequence[RuleSection]) -> None:
        self.rules = tuple(rules)

    def topics(self) -> list[str]:
        """The topics (filters) the rules listen on."""
        return sorted({r.topic for r in self.rules})

    def match(self, topic: str, payload: bytes, *, retain: bool = False) -> list[RuleHit]:
        """Every rule this message fires; never raises (a bad payload simply matches nothing)."""
        if retain:
            return []
        hits: list[RuleHit] = []
        text: str | None = None
        doc: Any = _MISSING
        for index, rule in enumerate(self.rules):
            if not topic_matches(rule.topic, topic):
                continue
            if text is None:
                try:
                    text = payload.decode("utf-8").strip()
                except UnicodeDecodeError:
                    log.debug("rule %d: binary payload on %s ignored", index, topic)
                    return []
            if rule.payload is not None and text != rule.payload:
                continue
            if rule.field is not None:
                if doc is _MISSING:
                    try:
                        doc = load_json(text)
                    except ValueError:
                        doc = None
                value = _field(doc, rule.field)
                if value is _MISSING or (rule.equals is not None and value != rule.equals):
                    continue
            hits.append(RuleHit(index, rule.skill, rule.action, dict(rule.args)))
        return hits
