"""What makes two feed items the same: the feed's own id inside a feed, the link across feeds.

An id (RSS guid, Atom id) is only unique inside the feed that wrote it; small feeds number
their items 1, 2, 3. So the stored key is scoped to the configured feed, and across feeds
two items are the same story only when their normalised links are equal. A link that is
the site itself (no path, no query) or that several items of one feed share identifies no
single item and is not used.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

MAX_KEY_CHARS = 400
# Query parameters that say how a reader arrived, not which article it is.
_TRACKING = re.compile(r"^(utm_|mc_|_hs)|^(fbclid|gclid|dclid|msclkid|igshid|yclid|ocid)$",
                       re.IGNORECASE)
_SCOPE_CHARS = 16  # 64 bits of the feed URL's SHA-256: enough to keep feeds apart


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def item_key(guid: object, link: str | None, title: str, summary: str) -> str:
    """The item's identity inside its feed: the id, else the link, else a hash of the text."""
    if isinstance(guid, str) and guid.strip():
        key = "id:" + guid.strip()
    elif link:
        key = "link:" + link
    else:
        return "sha256:" + _sha256(f"{title}\n{summary}")
    if len(key) > MAX_KEY_CHARS:
        # The key column is bounded; a very long guid is still unique by its hash.
        key = key.split(":", 1)[0] + ":sha256:" + _sha256(key)
    return key


def scoped_key(feed_url: str, key: str) -> str:
    """`key` (from `item_key`) made unique across feeds by the configured feed URL."""
    return f"{_sha256(feed_url)[:_SCOPE_CHARS]}|{key}"


def normal_link(link: str | None) -> str | None:
    """`link` reduced to what names the article, or None when it names no single item.

    Scheme, a leading "www.", default ports, the fragment, a trailing slash and tracking
    parameters are dropped; the remaining query parameters are sorted. Host names compare
    case-insensitively, paths and query values exactly.
    """
    if not link:
        return None
    try:
        parts = urlsplit(link.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    if not host:
        return None
    if port is not None and port not in (80, 443):
        host += f":{port}"
    path = parts.path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _TRACKING.match(k))
    if not path and not query:
        return None  # the site's home page
    return host + (path or "/") + ("?" + urlencode(query) if query else "")


def link_key(link: str | None) -> str | None:
    """The fixed-size form of `normal_link(link)` that the database indexes, or None."""
    normal = normal_link(link)
    return _sha256(normal) if normal else None
