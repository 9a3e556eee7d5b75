"""Parsing downloaded feed bytes with feedparser, and refusing what is unsafe or broken.

feedparser is given bytes only (never a URL or a string, which it may fetch or open).
Documents that declare entities are refused before parsing: real feeds do not need them
and they are how "billion laughs" expansion works.

What can be read is used, and the feed is reported degraded: the entries feedparser's
tolerant parser recovers from not well-formed XML (unless `feeds.accept_malformed` is
off), and the complete items before the byte cap of a feed that is too large. A document
that is neither well-formed nor recognisably RSS or Atom is refused. Blocking: call
`parse_feed` off the event loop.
"""

from __future__ import annotations

import calendar
import io
import logging
import pyexpat
import re
import time
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agent.feeds.http import FeedRejected
from agent.feeds.identity import item_key
from agent.feeds.text import MAX_TITLE_CHARS, clean_text, safe_link

log = logging.getLogger(__name__)

_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PROLOG_SCAN = 65536
# The end of an RSS item or Atom entry, with or without a namespace prefix.
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
# The types whose value feedparser hands over as markup (its own `html_types`); every other
# type ("text/plain" above all) is text whose `<` and `&` are characters, not markup.
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The usable items of one feed, and why the feed is degraded (None: read whole)."""

    items: list[ParsedItem]
    degraded: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One feed entry as plain, bounded text."""

    key: str
    title: str
    link: str | None
    summary: str
    published_at: datetime | None


def expat_is_current() -> bool:
    """Whether the linked expat has the 2.6 fixes against entity and token blow-ups."""
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", pyexpat.EXPAT_VERSION)
    if not found:
        return False
    return tuple(int(g) for g in found.groups()) >= (2, 6, 0)


def _prolog(body: bytes) -> bytes:
    head = body[:_PROLOG_SCAN]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head.decode(codec, errors="replace").encode("utf-8")
            break
    else:
        if b"\x00" in head[:4]:
            head = head.replace(b"\x00", b"")  # UTF-16 without a BOM
    first = _FIRST_ELEMENT.search(head)
    return head[: first.start()] if first else head


def _when(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed"):
        value = entry.get(name)
        if isinstance(value, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


def _is_html(detail: object) -> bool:
    """Whether feedparser reports a field (a ``*_detail`` or ``content[]`` dict) as markup.

    A field without a type counts as HTML, as feedparser itself treats it.
    """
    kind = detail.get("type") if isinstance(detail, dict) else None
    if not isinstance(kind, str) or not kind.strip():
        return True
    return kind.split(";", 1)[0].strip().lower() in _HTML_TYPES


def _title(entry: Any) -> tuple[object, bool]:
    return entry.get("title"), _is_html(entry.get("title_detail"))


def _summary(entry: Any) -> tuple[object, bool]:
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        value = content[0].get("value")
        if isinstance(value, str) and value.strip():
            return value, _is_html(content[0])
    return entry.get("summary"), _is_html(entry.get("summary_detail"))


def _complete_items(body: bytes, cut: str) -> bytes:
    """`body` up to the end of its last complete item; FeedRejected(`cut`) when it has none."""
    ends = list(_ITEM_END.finditer(body))
    if not ends:
        raise FeedRejected(f"{cut}, with no complete item before it")
    return body[: ends[-1].end()]


def _parse(body: bytes, url: str, content_type: str | None) -> Any:
    # Imported at the first fetch: an idle daemon between briefings does not need it.
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        return feedparser.parse(io.BytesIO(body), response_headers=headers,
                                sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:
        # Hostile input can reach corners of feedparser that raise anything; one feed's
        # crash must not take the others down, so it becomes this feed's rejection.
        log.warning("feedparser crashed on %s", url, exc_info=True)
        raise FeedRejected(f"feedparser failed: {type(exc).__name__}") from exc


def _item(entry: Any, item_max_chars: int) -> ParsedItem | None:
    value, html = _title(entry)
    title = clean_text(value, MAX_TITLE_CHARS, html=html)
    value, html = _summary(entry)
    summary = clean_text(value, item_max_chars, html=html)
    if not title and not summary:
        return None
    link = safe_link(entry.get("link"))
    return ParsedItem(key=item_key(entry.get("id"), link, title, summary),
                      title=title or summary[:80], link=link, summary=summary,
                      published_at=_when(entry))


def parse_feed(body: bytes, *, url: str, content_type: str | None, max_items: int,
               item_max_chars: int, accept_malformed: bool = True,
               cut: str | None = None) -> ParsedFeed:
    """The first `max_items` usable entries of the feed in `body`; raises FeedRejected.

    `cut` says that `body` is only the first part of the feed, and why (the byte cap).
    """
    if not body.strip():
        raise FeedRejected(cut or "empty body")
    if _ENTITY_DECL.search(_prolog(body)):
        raise FeedRejected("the document declares XML entities; refused (entity expansion)")
    if cut:
        body = _complete_items(body, cut)
    parsed = _parse(body, url, content_type)
    problem = parsed.get("bozo_exception")
    malformed = bool(parsed.get("bozo")) and isinstance(problem, xml.sax.SAXException)
    entries = parsed.get("entries") or []
    if malformed and not cut and not (accept_malformed and entries and parsed.get("version")):
        raise FeedRejected(f"not well-formed XML: {problem}")
    if not parsed.get("version") and (cut or not entries):
        raise FeedRejected(cut or "not an RSS or Atom feed")
    items = [i for i in (_item(e, item_max_chars) for e in entries[:max_items]) if i]
    if cut:
        return ParsedFeed(items, f"{cut}; read the {len(items)} items before it")
    if malformed:
        if not items:
            raise FeedRejected(f"not well-formed XML: {problem}; nothing could be read")
        return ParsedFeed(items, f"not well-formed XML ({problem}); "
                                 f"kept the {len(items)} items the tolerant parser recovered")
    return ParsedFeed(items)
