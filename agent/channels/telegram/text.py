"""Plain text into Telegram messages: HTML-escaped (device names are untrusted), in parts
that fit sendMessage's 4096-character limit."""

from __future__ import annotations

import html

# Below MAX_MESSAGE_CHARS (4096) with room for a "(1/3)"-style tail and escaping slack.
PART_CHARS = 3500
# A reply longer than this many parts is cut: a chat is not the place for a report.
MAX_PARTS = 4
SHORTENED = "… (shortened; ask on the hearth host for the whole answer)"


def html_parts(text: str, *, part_chars: int = PART_CHARS, max_parts: int = MAX_PARTS) -> list[str]:
    """`text` escaped for parse_mode HTML, split at line breaks where possible."""
    text = text.strip() or "(no answer)"
    parts: list[str] = []
    while text and len(parts) < max_parts:
        if len(text) <= part_chars:
            parts.append(text)
            text = ""
            break
        cut = text.rfind("\n", part_chars // 2, part_chars)
        if cut < 0:
            cut = text.rfind(" ", part_chars // 2, part_chars)
        cut = cut if cut > 0 else part_chars
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts[-1] = parts[-1][: part_chars - len(SHORTENED)] + SHORTENED
    return [html.escape(p, quote=False) for p in parts]
