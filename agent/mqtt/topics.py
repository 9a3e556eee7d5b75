"""MQTT topic filters: matching and validation, with no paho import."""

from __future__ import annotations


def topic_matches(pattern: str, topic: str) -> bool:
    """Whether `topic` matches the subscription filter `pattern` (`+` and `#` wildcards).

    Topics starting with `$` match only filters that name that first level explicitly
    (MQTT 3.1.1 §4.7.2), so `#` never sees `$SYS`.
    """
    if topic.startswith("$") and not pattern.startswith("$"):
        return False
    pat = pattern.split("/")
    top = topic.split("/")
    for i, level in enumerate(pat):
        if level == "#":
            return True
        if i >= len(top):
            return False
        if level not in ("+", top[i]):
            return False
    return len(pat) == len(top)


def is_publishable(topic: str) -> bool:
    """Whether `topic` is a concrete topic hearth may publish to (no wildcards, not `$...`)."""
    return (
        bool(topic)
        and "+" not in topic
        and "#" not in topic
        and "\x00" not in topic
        and not topic.startswith("$")
        and len(topic.encode("utf-8")) <= 65535
    )
