"""Per request, only the device names the text mentions, and the sentence around them.

hassil tries every template against the whole `name` list; with hundreds of devices and
dozens of intents most of that is spent on templates for domains the sentence does not
name. A trie over the names (hassil's own, case-folded, word boundaries) finds the names in
the text; the request then matches against a `name` list holding only those values (with
their context), and the pruning keyed by the context those values carry drops, e.g., every
lock and cover template when only a light is named. A name hassil could match is always
found by the trie (the same folding, whole words), so results do not change; a test checks
that over the Home Assistant corpus.

The same index gives the request's *shape*: the text with its one longest name replaced by
a placeholder word ("turn off the west hall lamp" -> "turn off the <name>"). hassil ranks a
result naming a device above every other and the longest name first, and a name it matches
is consumed whole, so the results that name that device are exactly the shape's results with
the placeholder read back as the device. The matcher memoises the shape's best result per
kind of device (the name's context), so "turn off the <light>" costs hassil once however
many lights a house has. Only names made of plain words, said once (as hassil reads the text:
punctuation dropped, "-" splitting words, skip words dropped or kept), with no skip word inside
("please", "for me") and a single longest reading qualify; anything else takes the full path.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Distinct sets of found names remembered per generation (their hassil index is reused).
_KEPT = 256
# Stands for the name in a shape: one word no template, list or person uses.
PLACEHOLDER = "hearthsaidname"
# Letters and single spaces: hassil's punctuation and number handling cannot split it.
_PLAIN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")
# hassil's second try splits words at these.
_BREAKS = re.compile(r"[-_]")
_SPACES = re.compile(r"\s+")
_THE_PLACEHOLDER = re.compile(PLACEHOLDER, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Shape:
    """A request's text with its device name replaced by `PLACEHOLDER`."""

    text: str
    # What hassil's result would carry for the name: the value's context (its kind).
    kind: frozenset[tuple[str, Any]]
    # The device the name stands for (the name list value's `value_out`).
    value: Any
    # A `name` list holding only the placeholder, with the value's context.
    names: Any


@dataclass(frozen=True, slots=True)
class Said:
    """The names a text mentions: as a hassil list, and the text's shape when it has one."""

    names: Any
    shape: Shape | None


class NameIndex:
    """The names of one `name` slot list, found in text."""

    def __init__(self, names: Any, skip_words: Iterable[str] = ()) -> None:
        from hassil.expression import TextChunk
        from hassil.trie import Trie

        self._list = names
        self._trie = Trie()
        # Values hassil matches by template (not plain text) cannot be looked up: always kept.
        self._always: list[Any] = []
        self._skips = [re.compile(rf"(?<!\w){re.escape(w.casefold())}(?!\w)")
                       for w in skip_words]
        # id(value) -> its kind, for the values a shape may stand for.
        self._kinds: dict[int, frozenset[tuple[str, Any]]] = {}
        for value in getattr(names, "values", ()):
            if isinstance(value.text_in, TextChunk):
                spoken = value.text_in.text.strip()
                if spoken:
                    self._trie.insert(spoken, value)
                    kind = _kind(value)
                    if (kind is not None and _PLAIN.fullmatch(spoken)
                            and not any(s.search(spoken.casefold()) for s in self._skips)):
                        self._kinds[id(value)] = kind
            else:
                self._always.append(value)
        self._lists: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self._placeholders: dict[frozenset[tuple[str, Any]], Any] = {}

    def said(self, text: str) -> Said:
        """The names in `text` (as whole words), and its shape when it has one."""
        from hassil import TextSlotList

        found = list(self._always)
        seen = {id(v) for v in found}
        spans: list[tuple[int, int, Any]] = []
        for end, spoken, value in self._trie.find(text, unique=False, word_boundaries=True,
                                                  ignore_case=True):
            spans.append((end - len(spoken), end, value))
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        key = tuple(sorted(seen))
        kept = self._lists.get(key)
        if kept is None:
            kept = TextSlotList(name=self._list.name, values=found)
            self._lists[key] = kept
            if len(self._lists) > _KEPT:
                self._lists.popitem(last=False)
        else:
            self._lists.move_to_end(key)
        return Said(kept, None if self._always else self._shape(text, spans))

    def _shape(self, text: str, spans: list[tuple[int, int, Any]]) -> Shape | None:
        if not spans:
            return None
        longest = max(end - start for start, end, _ in spans)
        top = [span for span in spans if span[1] - span[0] == longest]
        if len(top) != 1:
            return None  # two readings as long (two devices, or one said twice): full path
        start, end, value = top[0]
        kind = self._kinds.get(id(value))
        if (kind is None or _THE_PLACEHOLDER.search(text)
                or not self._said_once(text[start:end], text)):
            return None
        return Shape(text=f"{text[:start]}{PLACEHOLDER}{text[end:]}", kind=kind,
                     value=value.value_out, names=self._placeholder(kind, value))

    def _said_once(self, name: str, text: str) -> bool:
        """Whether hassil can read `name` exactly once in `text`, in each text it matches (no
        punctuation, words split at "-" and "_", skip words dropped or kept), anywhere, not
        only at word boundaries; case-insensitive per character (casefold() may lengthen)."""
        from hassil.util import normalize_for_matching

        seen = _SPACES.sub(" ", _BREAKS.sub(" ", normalize_for_matching(text).text))
        unskipped = seen.casefold()
        for skip in self._skips:
            unskipped = skip.sub(" ", unskipped)
        pattern = re.compile(re.escape(name), re.IGNORECASE)
        return all(len(pattern.findall(variant)) == 1
                   for variant in (text, seen, _SPACES.sub(" ", unskipped)))

    def _placeholder(self, kind: frozenset[tuple[str, Any]], value: Any) -> Any:
        from hassil import TextSlotList
        from hassil.expression import TextChunk
        from hassil.intents import TextSlotValue

        held = self._placeholders.get(kind)
        if held is None:
            # No device of its own (hassil reports the placeholder itself): the matcher puts
            # the device said in its place, and a result it did not fill names no device.
            held = TextSlotList(name=self._list.name, values=[TextSlotValue(
                text_in=TextChunk(PLACEHOLDER), value_out=None, context=value.context)])
            self._placeholders[kind] = held
        return held


def _kind(value: Any) -> frozenset[tuple[str, Any]] | None:
    """The value's context as a hashable key; None when a shape cannot stand for it."""
    if value.value_out is None or value.metadata:
        return None  # hassil would return the text said, or metadata the shape lacks
    try:
        kind = frozenset((value.context or {}).items())
        hash(kind)
    except TypeError:
        return None
    return kind
