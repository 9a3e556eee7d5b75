"""Pruning: a copy of hassil intents without the templates that provably cannot match.

A template needing an empty list such as ``{floor}``, or a block requiring a context value
(e.g. ``domain: lock``) that no list value carries, would be rejected by hassil anyway,
after trying; pruning only skips the trying, so results are identical.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Collection, Iterable, Mapping
from typing import Any

# Expansion rules may refer to each other; deeper than this, assume "may match" and keep.
_MAX_RULE_DEPTH = 24

Provided = Mapping[str, frozenset[str] | None]


def _strings(value: Any) -> frozenset[str] | None:
    """A required context value as a set of strings; None when it is not that simple."""
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, Collection) and not isinstance(value, Mapping | bytes):
        items = list(value)
        if all(isinstance(v, str) for v in items):
            return frozenset(items)
    return None


def context_values(lists: Iterable[Any]) -> dict[str, frozenset[str] | None]:
    """Per context key, every value a list value can add (None: some are not strings)."""
    from hassil import TextSlotList

    found: dict[str, set[str] | None] = {}
    for slot_list in lists:
        if not isinstance(slot_list, TextSlotList):
            continue
        for value in slot_list.values:
            for key, item in (value.context or {}).items():
                have = found.setdefault(key, set())
                if have is None:
                    continue
                if isinstance(item, str):
                    have.add(item)
                else:
                    found[key] = None  # compared by equality or membership: keep all
    return {k: (frozenset(v) if v is not None else None) for k, v in found.items()}


def union(*parts: Provided) -> dict[str, frozenset[str] | None]:
    merged: dict[str, frozenset[str] | None] = {}
    for part in parts:
        for key, values in part.items():
            if key in merged:
                have = merged[key]
                merged[key] = None if have is None or values is None else have | values
            else:
                merged[key] = values
    return merged


def _context_possible(required: Mapping[str, Any], provided: Provided) -> bool:
    """False only when a required context value can come from no list value.

    Matched list values are the only source of context here (no ``intent_context`` is
    passed), so a block requiring ``domain: lock`` with no lock among the names is dead.
    """
    for key, spec in required.items():
        wanted = spec.get("value") if isinstance(spec, Mapping) else spec
        if key not in provided:
            return False  # required (any value or a given one) but never set
        have = provided[key]
        want = None if wanted is None else _strings(wanted)
        if want is not None and have is not None and not want & have:
            return False
    return True


def _needs_empty(expression: Any, empty: frozenset[str], rules: Mapping[str, Any],
                 depth: int = 0) -> bool:
    """True when every way through `expression` refers to an empty list."""
    from hassil.expression import Alternative, ListReference, Permutation, RuleReference
    from hassil.expression import Sequence as Seq

    if depth > _MAX_RULE_DEPTH:
        return False
    if isinstance(expression, ListReference):
        return expression.list_name in empty
    if isinstance(expression, RuleReference):
        rule = rules.get(expression.rule_name)
        return rule is not None and _needs_empty(rule.expression, empty, rules, depth + 1)
    if isinstance(expression, Alternative):
        return bool(expression.items) and all(
            _needs_empty(item, empty, rules, depth + 1) for item in expression.items)
    if isinstance(expression, Seq | Permutation):
        # Every item of a sequence or permutation has to match.
        return any(_needs_empty(item, empty, rules, depth + 1) for item in expression.items)
    return False


def empty_lists(lists: Mapping[str, Any]) -> frozenset[str]:
    """Names of the text lists with no values (hassil matches nothing against those)."""
    from hassil import TextSlotList

    return frozenset(name for name, slot_list in lists.items()
                     if isinstance(slot_list, TextSlotList) and not slot_list.values)


def prune(intents: Any, empty: frozenset[str], provided: Provided) -> Any:
    """A copy of hassil `intents` without the templates that cannot match.

    `empty` names the empty text lists, `provided` the context values list values can add
    (both over the merged shared lists). Blocks with lists of their own widen both.
    """
    from hassil.intents import Intent

    kept_intents: dict[str, Any] = {}
    for name, intent in intents.intents.items():
        blocks = []
        for data in intent.data:
            block_empty, block_provided = empty, provided
            if data.slot_lists:
                block_provided = union(provided, context_values(data.slot_lists.values()))
                block_empty = (empty - set(data.slot_lists)) | empty_lists(data.slot_lists)
            if data.requires_context and not _context_possible(data.requires_context,
                                                               block_provided):
                continue
            rules = {**intents.expansion_rules, **data.expansion_rules}
            sentences = [s for s in data.sentences
                         if not _needs_empty(s.expression, block_empty, rules)]
            if len(sentences) == len(data.sentences):
                blocks.append(data)
            elif sentences:
                trimmed = copy.copy(data)
                # `sentences` is a functools.cached_property stored in the instance dict:
                # setting it reuses the parsed templates instead of parsing them again.
                vars(trimmed)["sentences"] = sentences
                blocks.append(trimmed)
        if blocks:
            kept_intents[name] = Intent(name=name, data=blocks)
    return dataclasses.replace(intents, intents=kept_intents)
