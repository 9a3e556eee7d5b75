"""Making untrusted text (from a feed, a model or a feed server's error) safe inside Markdown."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def md_escape(text: str) -> str:
    """`text` with Markdown's special characters escaped (it came from a feed or a model)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_url(url: str) -> str:
    """`url` safe inside Markdown's <...> link target."""
    return url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
