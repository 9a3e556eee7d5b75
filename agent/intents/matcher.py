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

Matching one sentence against Home Assistant's templates costs milliseconds, so two things
are derived once per set of slot lists and reused until ``slot_lists`` returns a different
object (or a mapping whose values are different objects, or whose plain string lists changed):

- a pruned copy of the intents without the templates that provably cannot match those lists
  (a template needing an empty list such as ``{floor}``, a block requiring a context value,
  e.g. ``domain: lock``, that no list value carries). hassil would reject them anyway, after
  trying; pruning only skips the trying, so results are identical.
- a bounded LRU of results (hits and misses) keyed by the exact text;
- a bounded memo of results keyed by the text's *shape* (the text with its device name
  replaced, see agent/intents/names.py) and the kind of device named, so a sentence said
  about one light costs hassil nothing the first time it is said about another.

A caller must therefore hand out new objects when its lists change rather than mutate a
hassil ``SlotList`` in place (``DeviceRegistry.slot_lists`` does exactly that).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from agent.errors import StartupError
from agent.intents.extras import EXTRA_LISTS, with_extras
from agent.intents.gates import closed, family_of
from agent.intents.hearth import CATCH_ALLS, HEARTH_BLOCKS, plausible_unknown
from agent.intents.names import PLACEHOLDER, NameIndex, Shape
from agent.intents.normalise import normalise
from agent.intents.prune import context_values, empty_lists, prune, union
from agent.plugins.skillset import SkillSet

log = logging.getLogger(__name__)

# Lists Home Assistant's sentences use but leave to the caller.
CALLER_LISTS = ("name", "area", "floor")
# No spoken command is longer; longer text (a pasted article, a flood) skips matching.
MAX_MATCH_CHARS = 300
# Distinct texts remembered per set of slot lists; a household says far fewer phrases.
CACHE_SIZE = 1024
# Shapes remembered per set of slot lists: a household's sentence forms times device kinds.
SHAPE_CACHE_SIZE = 1024
# Words as hassil's keyword check sees them, or more (never fewer): a block is dropped only
# when hassil would skip it too.
_WORD = re.compile(r"\w+")
_LIST_REF = re.compile(r"\{(\w+)(?::\w+)?\}")
_EMPTY: Mapping[str, Any] = {}
# Pruned intent sets remembered (by empty lists and context values); a house has few.
_PRUNED_KEPT = 64


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
    # Hearth's own intents (agent/intents/hearth.py) are named like Home Assistant's.
    shipped = {**{n: {"data": []} for n in HEARTH_BLOCKS}, **data.get("intents", {})}
    unknown = sorted(names - set(shipped))
    if unknown:
        detail = ", ".join(f"{n} (skill {owner[n]!r})" for n in unknown)
        raise StartupError(f"unknown Home Assistant intent(s) for {language!r}: {detail}")
    # Response templates are Home Assistant's to speak; skills write their own replies.
    result = {key: value for key, value in data.items() if key not in ("intents", "responses")}
    result["intents"] = with_extras({name: shipped[name] for name in sorted(names)})
    # The state words hearth's own blocks use (e.g. "low"/"normal" for a battery sensor).
    result["lists"] = {**EXTRA_LISTS, **result.get("lists", {})}
    return result


def _as_slot_list(name: str, value: Any) -> Any:
    from hassil import SlotList, TextSlotList

    if isinstance(value, SlotList):
        return value
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return TextSlotList.from_strings([str(v) for v in value], name=name)
    raise TypeError(f"slot list {name!r} must be a hassil SlotList or a list of strings")


# -- the slot lists in force and what is derived from them --------------------------------


class _PruningKey(NamedTuple):
    """What decides a pruned intent set (see `IntentMatcher._pruned_by`)."""

    empty: frozenset[str]  # text lists with no values
    provided: frozenset[tuple[str, frozenset[str] | None]]  # context values lists can add
    shut: frozenset[str]  # gated families whose words are absent
    unsaid: frozenset[frozenset[str]]  # keyword sets of blocks the text cannot match


@dataclass(frozen=True, slots=True)
class _Shaped:
    """hassil's best result for a shape, without the device the placeholder stood for."""

    intent: str
    slots: Mapping[str, Any]
    context: Mapping[str, Any]


@dataclass(slots=True)
class _Generation:
    # Held (not just its id) so a new object can never reuse the address of an old one.
    source: Mapping[str, Any]
    items: tuple[tuple[str, Any], ...]
    plain: dict[str, tuple[str, ...]]
    lists: dict[str, Any]
    intents: Any
    # The same with the templates that need the speaker's area (made on first use).
    here: Any = None
    # The `name` list's trie: per request only the names the text mentions (None: off).
    names: NameIndex | None = None
    cache: OrderedDict[tuple[str, str | None], IntentMatch | None] = field(
        default_factory=OrderedDict)
    # Shape results: (intent, slots, context) with the name to fill in; None: no name read.
    shapes: OrderedDict[tuple[str, str | None, frozenset[tuple[str, Any]], _PruningKey],
                        _Shaped | None] = field(default_factory=OrderedDict)

    def current(self, source: Mapping[str, Any]) -> bool:
        """Whether `source` is still the lists this generation was derived from."""
        if source is not self.source or len(source) != len(self.items):
            return False
        for name, value in self.items:
            if source.get(name) is not value:
                return False
        return all(tuple(str(v) for v in source[name]) == snapshot
                   for name, snapshot in self.plain.items())


def _plain_snapshot(source: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Plain string lists can be mutated in place, so their contents are compared."""
    from hassil import SlotList

    return {name: tuple(str(v) for v in value) for name, value in source.items()
            if not isinstance(value, SlotList) and isinstance(value, Sequence)
            and not isinstance(value, str | bytes)}


class IntentMatcher:
    """Matches free text against the enabled skills' intents, strictly (known names only).

    Not thread-safe: call it from one thread (the daemon's event loop does).
    """

    def __init__(
        self,
        skills: SkillSet,
        *,
        language: str = "en",
        slot_lists: Callable[[], Mapping[str, Any]] | None = None,
        cache_size: int = CACHE_SIZE,
        shape_cache_size: int = SHAPE_CACHE_SIZE,
        sentences: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        filter_names: bool = True,
    ) -> None:
        """`sentences`: extra hassil blocks per intent (the household's `[[sentences]]`,
        checked by `agent.intents.custom.check_sentences`); unhandled intents are ignored.
        `filter_names` False: every name and every intent in every match (no name filter,
        no gates, no shapes: the reference the tests compare against). `cache_size` and
        `shape_cache_size` 0 turn the two result caches off (hassil runs every time)."""
        from hassil import Intents, TextSlotList

        self.language = language
        self._filter_names = filter_names
        self._slot_lists = slot_lists
        self._cache_size = cache_size
        self._shape_cache_size = shape_cache_size if filter_names else 0
        # Requests answered from a shape another device's sentence taught (for the benches).
        self.shape_hits = 0
        self._generation: _Generation | None = None
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
        for intent, extra in (sentences or {}).items():
            if intent in data["intents"]:
                held = data["intents"][intent]
                data["intents"][intent] = {**held, "data": [*held["data"], *map(dict, extra)]}
        current = self._slot_lists() if self._slot_lists is not None else _EMPTY
        # Converted once here so a malformed list fails start-up, not only each match.
        current = {name: _as_slot_list(name, value) for name, value in current.items()}
        known = set(data.get("lists", {})) | set(CALLER_LISTS) | set(current)
        wildcards = {
            ref
            for intent in custom.values()
            for template in intent["data"][0]["sentences"]
            for ref in _LIST_REF.findall(template)
            if ref not in known
        }
        data["lists"] = {**data.get("lists", {}), **{w: {"wildcard": True} for w in wildcards}}
        self._intents = Intents.from_dict(data)
        # Catch-alls ("I don't know a device called ...") are tried only when nothing else
        # matched: their wildcards would otherwise cost every "turn off ..." a third more.
        held = self._intents.intents
        self._catch_alls = dataclasses.replace(
            self._intents, intents={n: i for n, i in held.items() if n in CATCH_ALLS})
        self._intents = dataclasses.replace(
            self._intents, intents={n: i for n, i in held.items() if n not in CATCH_ALLS})
        self._defaults = {n: TextSlotList(name=n, values=[]) for n in CALLER_LISTS}
        # Over-approximates when a caller list replaces a shipped one: pruning keeps more.
        self._shipped_context = context_values(self._intents.slot_lists.values())
        self._pruned_by_key: dict[_PruningKey, Any] = {}
        self.intent_names: tuple[str, ...] = tuple(sorted(self._owner))
        # Gated families present among the intents held (see agent/intents/gates.py).
        self._families = frozenset(f for f in map(family_of, self.intent_names) if f)
        # Blocks with hassil `required_keywords`: hassil skips them for text without one, so
        # they are left out of the pruned set up front rather than checked on every match.
        self._keyword_sets = frozenset(
            frozenset(d.required_keywords) for i in self._intents.intents.values()
            for d in i.data if d.required_keywords)
        self.warm()

    def _current(self) -> _Generation:
        source = self._slot_lists() if self._slot_lists is not None else _EMPTY
        generation = self._generation
        if generation is not None and generation.current(source):
            return generation
        lists = {**self._defaults,
                 **{name: _as_slot_list(name, value) for name, value in source.items()}}
        from hassil import TextSlotList

        names = lists.get("name")
        index = (NameIndex(names, self._intents.skip_words)
                 if self._filter_names and isinstance(names, TextSlotList) else None)
        generation = _Generation(source=source, items=tuple(source.items()),
                                 plain=_plain_snapshot(source), lists=lists,
                                 intents=self._pruned(lists), names=index)
        self._generation = generation
        return generation

    def _pruned(self, lists: Mapping[str, Any], *, here: bool = False,
                shut: frozenset[str] = frozenset(),
                unsaid: frozenset[frozenset[str]] = frozenset()) -> Any:
        return self._pruned_by(self._pruning_key(lists, here=here, shut=shut, unsaid=unsaid))

    def _pruning_key(self, lists: Mapping[str, Any], *, here: bool,
                     shut: frozenset[str],
                     unsaid: frozenset[frozenset[str]]) -> _PruningKey:
        # Only which lists are empty and which context values exist decide the pruning, so
        # callers handing out a new mapping per call pay a scan of their lists, not a prune.
        empty = empty_lists({**self._intents.slot_lists, **lists})
        provided = union(self._shipped_context, context_values(lists.values()))
        if here:
            # The speaker's area arrives as intent context: any area name.
            provided = union(provided, {"area": None})
        return _PruningKey(empty, frozenset(provided.items()), shut, unsaid)

    def _pruned_by(self, key: _PruningKey) -> Any:
        pruned = self._pruned_by_key.get(key)
        if pruned is None:
            if len(self._pruned_by_key) >= _PRUNED_KEPT:
                self._pruned_by_key.clear()
            pruned = prune(self._intents, key.empty, dict(key.provided))
            if key.shut:
                kept = {n: i for n, i in pruned.intents.items()
                        if family_of(n) not in key.shut}
                pruned = dataclasses.replace(pruned, intents=kept)
            if key.unsaid:
                pruned = _without_keyword_blocks(pruned, key.unsaid)
            self._pruned_by_key[key] = pruned
        return pruned

    def known_area(self, area: str | None) -> str | None:
        """The canonical name of `area` (a name or alias in the `area` list), or None.

        A satellite's area comes from outside (a request's JSON): one the household does
        not know is dropped with a warning rather than matched as if it were a room.
        """
        if area is None or not area.strip():
            return None
        wanted = normalise(area).casefold()
        try:
            for value in getattr(self._current().lists.get("area"), "values", ()):
                spoken = getattr(value.text_in, "text", None)
                if isinstance(spoken, str) and spoken.strip().casefold() == wanted:
                    return str(value.value_out if value.value_out is not None else spoken)
        except Exception:
            log.exception("area lookup failed")
            return None
        log.warning("request area %r is not a known area; ignored", area[:80])
        return None

    def warm(self) -> float:
        """Compile the templates now (hassil compiles lazily on first use); returns seconds."""
        started = time.perf_counter()
        self.match("hearth starting")
        # One name per kind of context (a light, a fan, a lock...): the intent sets pruned
        # for those are made now, not on a person's first request naming such a device.
        seen: set[frozenset[Any]] = set()
        lists = self._generation.lists if self._generation is not None else {}
        for value in getattr(lists.get("name"), "values", ()):
            kind = frozenset((value.context or {}).items())
            spoken = getattr(value.text_in, "text", None)
            if kind not in seen and isinstance(spoken, str) and all(
                    isinstance(v, str) for _, v in kind):
                seen.add(kind)
                self.match(f"hearth starting {spoken}")
        elapsed = time.perf_counter() - started
        log.debug("intent matcher warm in %.0f ms (%d intents)", elapsed * 1000,
                  len(self.intent_names))
        return elapsed

    def match(self, text: str, *, area: str | None = None) -> IntentMatch | None:
        """The best match for `text`, or None. Never raises: a matcher fault is logged.

        `area`: the speaker's room (a satellite's area), for "in here" and bare "the lights".
        """
        if not self.intent_names or not text.strip() or len(text) > MAX_MATCH_CHARS:
            return None
        clean = normalise(text)
        key = (clean, area)
        try:
            generation = self._current()
            cache = generation.cache
            if key in cache:
                cache.move_to_end(key)
                return _fresh(cache[key], text)
            found = self._recognize(clean, generation, area)
        except Exception:
            # A bad slot list or a hassil bug must cost one unmatched sentence, not the daemon;
            # the text then goes to the local dispatcher like any other unmatched text.
            log.exception("intent matching failed for a %d-character text", len(text))
            return None
        cache[key] = found
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return _fresh(found, text)

    def _recognize(self, text: str, generation: _Generation,
                   area: str | None) -> IntentMatch | None:
        from hassil import recognize_best

        # Home Assistant's "here" templates require an `area` context value; hassil fills
        # the slot from it, as a satellite's area does in Home Assistant.
        context = {"area": {"value": area, "text": area}} if area else None
        lists = generation.lists
        shut = closed(text, self._families) if self._filter_names else frozenset()
        if generation.names is not None:
            # Pruned by the context of the names said, not of every name in the house.
            said = generation.names.said(text)
            lists = {**lists, "name": said.names}
            words = set(_WORD.findall(text.casefold()))
            unsaid = frozenset(k for k in self._keyword_sets if k.isdisjoint(words))
            key = self._pruning_key(lists, here=bool(area), shut=shut, unsaid=unsaid)
            if said.shape is not None and self._shape_cache_size > 0:
                found = self._by_shape(text, said.shape, generation, lists=lists,
                                       pruning=key, area=area)
                if found is not None:
                    return found
            intents = self._pruned_by(key)
        elif area:
            if generation.here is None:
                generation.here = self._pruned(lists, here=True)
            intents = generation.here
        else:
            intents = generation.intents
        result = recognize_best(text, intents, slot_lists=lists,
                                intent_context=context, language=self.language,
                                best_slot_name="name")
        if result is None and self._catch_alls.intents:
            result = recognize_best(text, self._catch_alls, slot_lists=lists,
                                    intent_context=context, language=self.language)
            if result is not None and not plausible_unknown(
                    {name: entity.value for name, entity in result.entities.items()}):
                return None
        if result is None:
            return None
        intent = result.intent.name
        slots = {name: entity.value for name, entity in result.entities.items()}
        return IntentMatch(
            skill=self._owner[intent],
            intent=intent,
            slots=slots,
            text=text,
            context=dict(result.context),
        )


    def _by_shape(self, text: str, shape: Shape, generation: _Generation, *,
                  lists: Mapping[str, Any], pruning: _PruningKey,
                  area: str | None) -> IntentMatch | None:
        """The match read from the text's shape; None when the shape names no device (the
        full text may still match otherwise: an area, a wildcard, a catch-all)."""
        from hassil import recognize_best

        memo = generation.shapes
        key = (shape.text, area, shape.kind, pruning)
        if key in memo:
            memo.move_to_end(key)
            shaped = memo[key]
            self.shape_hits += 1
        else:
            context = {"area": {"value": area, "text": area}} if area else None
            result = recognize_best(shape.text, self._pruned_by(pruning),
                                    slot_lists={**lists, "name": shape.names},
                                    intent_context=context, language=self.language,
                                    best_slot_name="name")
            shaped = _shaped(result)
            memo[key] = shaped
            if len(memo) > self._shape_cache_size:
                memo.popitem(last=False)
        if shaped is None:
            return None
        slots = {n: shape.value if n == "name" else v for n, v in shaped.slots.items()}
        return IntentMatch(skill=self._owner[shaped.intent], intent=shaped.intent,
                           slots=slots, text=text, context=dict(shaped.context))


def _shaped(result: Any) -> _Shaped | None:
    """`result` without its name, when the name is the placeholder and nothing else is."""
    if result is None:
        return None
    name = result.entities.get("name")
    if name is None or name.is_wildcard or name.text.strip().casefold() != PLACEHOLDER:
        return None
    if any(PLACEHOLDER in str(e.text).casefold() for n, e in result.entities.items()
           if n != "name"):
        return None
    # The name's value is left empty: the caller puts the device said in its place.
    slots = {n: None if n == "name" else e.value for n, e in result.entities.items()}
    return _Shaped(intent=result.intent.name, slots=slots, context=dict(result.context))


def _without_keyword_blocks(intents: Any, unsaid: frozenset[frozenset[str]]) -> Any:
    from hassil.intents import Intent

    kept = {}
    for name, intent in intents.intents.items():
        blocks = [d for d in intent.data
                  if not d.required_keywords or frozenset(d.required_keywords) not in unsaid]
        if blocks:
            kept[name] = Intent(name=name, data=blocks)
    return dataclasses.replace(intents, intents=kept)


def _fresh(found: IntentMatch | None, text: str) -> IntentMatch | None:
    # A cached result is shared: each caller gets its own mappings to change if it likes,
    # and the text as said (the cache is keyed by the normalised text).
    if found is None:
        return None
    return dataclasses.replace(found, slots=dict(found.slots), context=dict(found.context),
                               text=text)
