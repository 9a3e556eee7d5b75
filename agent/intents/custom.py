"""A household's own sentences (`[[sentences]]`): checked like the code's, merged the same way.

Each entry names an intent an enabled skill handles (a Home Assistant one such as
HassTurnOff, or a skill's own) and gives hassil templates plus fixed slot values. They are
added to that intent as one more block, so the skill's handler sees the slots it knows.
`check_sentences` runs in `hearth config check` and at start-up: a template hassil cannot
parse, an intent no enabled skill handles, a `{list}` or `<rule>` nobody defines, or a slot
the intent never carries is an error naming `sentences[i].templates[j]` or `.slots.<key>`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from agent.config import HearthConfig
from agent.errors import ConfigError
from agent.plugins.skillset import SkillSet

# Lists the matcher always provides (the device registry's).
_CALLER_LISTS = frozenset({"name", "area", "floor"})
# Slots a device request understands besides those in the intent's own templates.
_DEVICE_SLOTS = frozenset({"name", "area", "floor", "domain", "device_class", "scope"})


def blocks(config: HearthConfig) -> dict[str, list[dict[str, Any]]]:
    """Intent name -> hassil data blocks from the config's `[[sentences]]`."""
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in config.sentences:
        block: dict[str, Any] = {"sentences": list(entry.templates)}
        if entry.slots:
            block["slots"] = dict(entry.slots)
        out.setdefault(entry.intent, []).append(block)
    return out


def check_sentences(config: HearthConfig, skills: SkillSet, language: str = "en") -> None:
    """ConfigError listing every problem of the config's `[[sentences]]`; None when fine."""
    if not config.sentences:
        return
    from hassil.parse_expression import parse_sentence
    from hassil.parser import ParseError
    from home_assistant_intents import get_intents

    shipped = get_intents(language) or {}
    rules = set(shipped.get("expansion_rules", {}))
    lists = set(shipped.get("lists", {})) | _CALLER_LISTS
    handled = _handled(skills)
    problems: list[str] = []
    for i, entry in enumerate(config.sentences):
        where = f"sentences[{i}]"
        if entry.intent not in handled:
            problems.append(f"{where}.intent: {entry.intent!r} is not handled by an enabled "
                            f"skill (handled: {', '.join(sorted(handled)) or 'none'})")
            continue
        allowed = _DEVICE_SLOTS | _slot_names(shipped, entry.intent)
        for key in entry.slots:
            if key not in allowed:
                problems.append(f"{where}.slots.{key}: {entry.intent} has no slot {key!r}")
        for j, template in enumerate(entry.templates):
            try:
                expression = parse_sentence(template).expression
            except (ParseError, AssertionError, ValueError) as exc:  # "{}": an assertion
                problems.append(f"{where}.templates[{j}]: {exc}")
                continue
            for kind, ref in _refs(expression):
                if kind == "list" and ref not in lists:
                    problems.append(f"{where}.templates[{j}]: unknown list {{{ref}}}")
                elif kind == "rule" and ref not in rules:
                    problems.append(f"{where}.templates[{j}]: unknown rule <{ref}>")
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in [[sentences]]", problems)


def _handled(skills: SkillSet) -> set[str]:
    names: set[str] = set()
    for loaded in skills.skills.values():
        names |= set(loaded.declaration.intents) | set(loaded.declaration.ha_intents)
    return names


def _slot_names(shipped: Mapping[str, Any], intent: str) -> set[str]:
    """Slots the shipped templates of `intent` fill (fixed ones and `{list:slot}` ones)."""
    import re

    found: set[str] = set()
    for block in shipped.get("intents", {}).get(intent, {}).get("data", []):
        found |= set(block.get("slots") or {})
        for sentence in block.get("sentences", []):
            found |= {m.group(2) or m.group(1)
                      for m in re.finditer(r"\{(\w+)(?::(\w+))?\}", sentence)}
    return found


def _refs(expression: Any) -> Iterator[tuple[str, str]]:
    from hassil.expression import ListReference, RuleReference

    if isinstance(expression, ListReference):
        yield "list", expression.list_name
    elif isinstance(expression, RuleReference):
        yield "rule", expression.rule_name
    items: Sequence[Any] = getattr(expression, "items", ()) or ()
    for item in items:
        yield from _refs(item)
