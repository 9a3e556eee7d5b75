"""The intent matcher: free text to (skill, intent, slots) with no model, via hassil.

It holds only the intents of enabled skills: the sentence templates a skill declares in
``SkillDeclaration.intents`` and the Home Assistant intents it names in ``ha_intents``
(taken from ``home_assistant_intents.get_intents(language)`` and filtered to exactly those
names, so "what's the weather" is not swallowed by an intent nobody handles). Skill
templates may use Home Assistant's expansion rules (``<turn>``, ``<the>``...) and lists.

Slot lists (device names, areas) change at run time, so ``slot_lists`` is called on every
match; plain sequences of strings are accepted besides hassil ``SlotList`` objects. A
``{slot}`` in a skill template that no list defines captures free text (a wildcard). The
lists Home Assistant's sentences refer to but do not ship (``name``, ``area``, ``floor``)
default to empty, so those intents simply do not match until the registry fills them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.errors import StartupError
from agent.plugins.skillset import SkillSet

log = logging.getLogger(__name__)

# Lists Home Assistant's sentences use but leave to the caller (REFERENCE.md §4.2).
CALLER_LISTS = ("name", "area", "floor")
# No spoken command is longer; longer text (a pasted article, a flood) skips matching.
MAX_MATCH_CHARS = 300
_LIST_REF = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True, slots=True)
class IntentMatch:
    """A recognised sentence: which skill handles it, the intent and its slot values."""

    skill: str
    intent: str
    slots: Mapping[str, Any]
    text: str
    # Context attached to matched list values (e.g. {"domain": "light"} for a device name).
    context: Mapping[str, Any] = field(default_factory=dict)


def _ha_data(language: str, names: set[str], owner: Mapping[str, str]) -> dict[str, Any]:
    from home_assistant_intents import get_intents

    data = get_intents(language) or {}
    if names and not data:
        raise StartupError(f"no Home Assistant intents for language {language!r}")
    shipped = data.get("intents", {})
    unknown = sorted(names - set(shipped))
    if unknown:
        detail = ", ".join(f"{n} (skill {owner[n]!r})" for n in unknown)
        raise StartupError(f"unknown Home Assistant intent(s) for {language!r}: {detail}")
    result = {key: value for key, value in data.items() if key != "intents"}
    result["intents"] = {name: shipped[name] for name in sorted(names)}
    return result


def _as_slot_list(name: str, value: Any) -> Any:
    from hassil import SlotList, TextSlotList

    if isinstance(value, SlotList):
        return value
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return TextSlotList.from_strings([str(v) for v in value], name=name)
    raise TypeError(f"slot list {name!r} must be a hassil SlotList or a list of strings")


class IntentMatcher:
    """Matches free text against the enabled skills' intents, strictly (known names only)."""

    def __init__(
        self,
        skills: SkillSet,
        *,
        language: str = "en",
        slot_lists: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        from hassil import Intents, TextSlotList

        self.language = language
        self._slot_lists = slot_lists
        self._owner: dict[str, str] = {}
        custom: dict[str, Any] = {}
        ha_names: set[str] = set()
        for name, loaded in skills.skills.items():
            for intent, templates in loaded.declaration.intents.items():
                self._owner[intent] = name
                custom[intent] = {"data": [{"sentences": list(templates)}]}
            for intent in loaded.declaration.ha_intents:
                self._owner[intent] = name
                ha_names.add(intent)
        data = _ha_data(language, ha_names, self._owner)
        data["language"] = language
        data["intents"] = {**data.get("intents", {}), **custom}
        known = set(data.get("lists", {})) | set(CALLER_LISTS) | set(self._current_lists())
        wildcards = {
            ref
            for intent in custom.values()
            for template in intent["data"][0]["sentences"]
            for ref in _LIST_REF.findall(template)
            if ref not in known
        }
        data["lists"] = {**data.get("lists", {}), **{w: {"wildcard": True} for w in wildcards}}
        self._intents = Intents.from_dict(data)
        self._defaults = {n: TextSlotList(name=n, values=[]) for n in CALLER_LISTS}
        self.intent_names: tuple[str, ...] = tuple(sorted(self._owner))
        self.warm()

    def _current_lists(self) -> dict[str, Any]:
        if self._slot_lists is None:
            return {}
        return {name: _as_slot_list(name, value) for name, value in self._slot_lists().items()}

    def warm(self) -> float:
        """Compile the templates now (hassil compiles lazily on first use); returns seconds."""
        started = time.perf_counter()
        self.match("hearth warm up")
        elapsed = time.perf_counter() - started
        log.debug("intent matcher warm in %.0f ms (%d intents)", elapsed * 1000,
                  len(self.intent_names))
        return elapsed

    def match(self, text: str) -> IntentMatch | None:
        """The best match for `text`, or None. Never raises: a matcher fault is logged."""
        if not self.intent_names or not text.strip() or len(text) > MAX_MATCH_CHARS:
            return None
        from hassil import recognize_best

        try:
            lists = {**self._defaults, **self._current_lists()}
            result = recognize_best(text, self._intents, slot_lists=lists,
                                    language=self.language, best_slot_name="name")
        except Exception:
            # A bad slot list or a hassil bug must cost one unmatched sentence, not the daemon;
            # the text then goes to the local dispatcher like any other unmatched text.
            log.exception("intent matching failed for a %d-character text", len(text))
            return None
        if result is None:
            return None
        intent = result.intent.name
        return IntentMatch(
            skill=self._owner[intent],
            intent=intent,
            slots={name: entity.value for name, entity in result.entities.items()},
            text=text,
            context=dict(result.context),
        )
