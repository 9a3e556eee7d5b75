"""Logging for the journal: one handler on stderr, configured only at the entry point.

Secrets are redacted by construction: a filter on the handler rewrites every record's
final text, so no code path (ours, an SDK's, a traceback) can print a key.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

# Anthropic keys and tokens of every kind; bearer/x-api-key header values; URL passwords.
_PATTERNS = (
    re.compile(r"sk-ant-[A-Za-z]+[0-9]*-[A-Za-z0-9_\-]+"),
    re.compile(r"(?i)(authorization:\s*bearer\s+|x-api-key:\s*)[^\s'\",]+"),
    re.compile(r"(?i)(\w+://[^:/\s@]+:)[^@\s]+(@)"),
    # A Telegram bot token in a Bot API URL path (".../bot123456:AA.../getUpdates").
    re.compile(r"(bot\d{5,}:)[A-Za-z0-9_-]{20,}"),
)
_SYSLOG_PREFIX = {
    logging.DEBUG: "<7>",
    logging.INFO: "<6>",
    logging.WARNING: "<4>",
    logging.ERROR: "<3>",
    logging.CRITICAL: "<2>",
}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with anything that looks like a credential, and each of `secrets`, masked.

    At most the first 10 characters of an Anthropic credential survive, enough to tell
    an API key (sk-ant-api) from an OAuth token (sk-ant-oat) in a support request.
    """
    text = _PATTERNS[0].sub(lambda m: m.group(0)[:10] + "…[redacted]", text)
    text = _PATTERNS[1].sub(lambda m: m.group(1) + "[redacted]", text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + "[redacted]" + m.group(2), text)
    text = _PATTERNS[3].sub(lambda m: m.group(1) + "[redacted]", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


class RedactingFormatter(logging.Formatter):
    """Formats a record, then redacts the finished line (message, args and traceback)."""

    def __init__(self, fmt: str, *, journal: bool) -> None:
        super().__init__(fmt)
        self.journal = journal
        self.secrets: list[str] = []

    def format(self, record: logging.LogRecord) -> str:
        line = redact(super().format(record), self.secrets)
        if self.journal:
            # sd-daemon(3) priority prefixes let `journalctl -p warning` filter hearth.
            prefix = _SYSLOG_PREFIX.get(record.levelno, "<6>")
            line = "\n".join(prefix + part for part in line.split("\n"))
        return line


_formatter: RedactingFormatter | None = None


def setup_logging(level: str | int = "INFO", *, journal: bool | None = None,
                  show_from: int | None = None, always_show: tuple[str, ...] = ()) -> None:
    """Install the single stderr handler. Called by the CLI entry point only.

    With `show_from`, the handler prints only records at that level or above, except those
    of the `always_show` loggers (and their children), which `level` alone governs. The
    logger levels stay as `level` sets them, so other handlers still see every record.
    """
    global _formatter  # noqa: PLW0603 - one process-wide handler, by design
    if journal is None:
        # Under systemd stderr goes to the journal, which adds its own timestamps.
        import os

        journal = "JOURNAL_STREAM" in os.environ or "INVOCATION_ID" in os.environ
    fmt = "%(name)s: %(message)s" if journal else "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    _formatter = RedactingFormatter(fmt, journal=journal)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter)
    if show_from is not None:
        handler.addFilter(_Threshold(show_from, always_show))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # SDK and HTTP debug logs carry headers; keep them quiet whatever our level is. The
    # scheduler's and Alembic's INFO lines ("Adding job tentatively", "setup plugin") say
    # nothing an operator acts on; their warnings and errors still come through.
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    migration = logging.getLogger("alembic.runtime.migration")
    if not any(isinstance(f, _UpgradesOnly) for f in migration.filters):
        migration.addFilter(_UpgradesOnly())


QUIET_LOGGERS = ("httpx", "httpx2", "httpcore", "anthropic", "ollama", "apscheduler",
                 "alembic.runtime.plugins")


class _Threshold(logging.Filter):
    """Passes records at `level` or above, and every record of the `always` loggers."""

    def __init__(self, level: int, always: tuple[str, ...]) -> None:
        super().__init__()
        self.level = level
        self.always = always

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.level:
            return True
        return any(record.name == n or record.name.startswith(n + ".") for n in self.always)


class _UpgradesOnly(logging.Filter):
    """Of Alembic's migration INFO lines keep only "Running upgrade a -> b": the one that
    says the ledger's schema changed. "Context impl SQLiteImpl." and the like go."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.INFO or record.getMessage().startswith("Running upgrade")


def register_secret(value: str | None) -> None:
    """Mask `value` verbatim in every later log line (for MQTT passwords and the like)."""
    if value and _formatter is not None and value not in _formatter.secrets:
        _formatter.secrets.append(value)
