"""Turning untrusted feed fields into short plain text: no markup, no control characters.

Feed text is data. A field feedparser reports as HTML is reduced to its visible text (script
and style contents dropped whole); a plain-text field is kept as written, so a title about
`<div>` or `x <y` keeps its words and `&amp;` is not decoded a second time. Whitespace is
then collapsed, control characters removed and the result truncated, before it is stored,
shown or quoted to a model.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Elements whose content is never text a reader should see.
_DROP_CONTENT = frozenset({"script", "style", "noscript", "template", "iframe", "object",
                           "embed", "svg", "math", "head", "title"})
_BLOCK = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "pre", "section", "article", "hr"})
_SPACE = re.compile(r"\s+")
MAX_TITLE_CHARS = 300


class _TextExtractor(HTMLParser):
    """Collects character data outside dropped elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT and self._skip_depth:
            self._skip_depth -= 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def strip_html(markup: str) -> str:
    """The visible text of an HTML fragment (or of plain text that merely looks like HTML)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def clean_text(value: object, max_chars: int, *, html: bool = False) -> str:
    """Plain, single-line, printable text of at most `max_chars` characters.

    `html` says that `value` is markup (feedparser's type for the field); plain text is
    never parsed as HTML, whatever characters it contains.
    """
    if not isinstance(value, str) or not value:
        return ""
    text = strip_html(value) if html else value
    # Control and format characters (bidi overrides, zero-width joiners) can hide text.
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def safe_link(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL without credentials, else None."""
    if not isinstance(value, str) or not value or len(value) > 2048:
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password or any(c.isspace() for c in value):
        return None
    return value
