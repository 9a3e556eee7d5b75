"""Per request, only the device names the text mentions.

hassil tries every template against the whole `name` list; with hundreds of devices and
dozens of intents most of that is spent on templates for domains the sentence does not
name. A trie over the names (hassil's own, case-folded, word boundaries) finds the names in
the text; the request then matches against a `name` list holding only those values (with
their context), and the pruning keyed by the context those values carry drops, e.g., every
lock and cover template when only a light is named. A name hassil could match is always
found by the trie (the same folding, whole words), so results do not change; a test checks
that over the Home Assistant corpus.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

# Distinct sets of found names remembered per generation (their hassil index is reused).
_KEPT = 256


class NameIndex:
    """The names of one `name` slot list, found in text."""

    def __init__(self, names: Any) -> None:
        from hassil.expression import TextChunk
        from hassil.trie import Trie

        self._list = names
        self._trie = Trie()
        # Values hassil matches by template (not plain text) cannot be looked up: always kept.
        self._always: list[Any] = []
        for value in getattr(names, "values", ()):
            if isinstance(value.text_in, TextChunk):
                if value.text_in.text.strip():
                    self._trie.insert(value.text_in.text.strip(), value)
            else:
                self._always.append(value)
        self._lists: OrderedDict[tuple[int, ...], Any] = OrderedDict()

    def filtered(self, text: str) -> Any:
        """A `name` list with only the values whose text occurs in `text` (as whole words)."""
        from hassil import TextSlotList

        found = list(self._always)
        seen = {id(v) for v in found}
        for _end, _text, value in self._trie.find(text, unique=False, word_boundaries=True,
                                                  ignore_case=True):
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
        return kept
