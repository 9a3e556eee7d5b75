"""Errors in the log, pushed to the household's phones (the `error` event), sparingly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from agent.logs import redact
from agent.notifiers.events import Notice, NoticeSink

WATCHED = ("agent", "skills")
# Our own failures are logged by the notifiers package: pushing them would loop.
IGNORED = ("agent.notifiers",)
PER_MESSAGE_SECONDS = 3600.0
DAILY_CAP = 10
_MAX_TEXT = 500


def _under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


class ErrorNotices(logging.Handler):
    """Posts an `error` notice for each ERROR record of hearth's loggers.

    At most one per message template an hour (a broker down all night is one message, not
    hundreds), and at most `daily_cap` a day. The text goes through hearth's redaction and
    carries no traceback (the journal has it).
    """

    def __init__(self, sink: NoticeSink, *, daily_cap: int = DAILY_CAP,
                 per_message_seconds: float = PER_MESSAGE_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 today: Callable[[], str] = lambda: datetime.now(UTC).date().isoformat()) -> None:
        super().__init__(logging.ERROR)
        self._sink = sink
        self._cap = daily_cap
        self._gap = per_message_seconds
        self._clock = clock
        self._today = today
        self._last: dict[str, float] = {}
        self._day = ""
        self._sent_today = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Post the record as a notice unless it is filtered or over a limit."""
        try:
            if not _under(record.name, WATCHED) or _under(record.name, IGNORED):
                return
            if not self._allowed(str(record.msg)):
                return
            text = redact(record.getMessage())[:_MAX_TEXT]
            if record.exc_info and record.exc_info[0] is not None:
                text += f" ({record.exc_info[0].__name__})"
            body = f"`{record.name}`: {text}"
            self._sink.post(Notice("error", "hearth: error", body))
        except Exception:  # noqa: BLE001 - a log handler must never raise into the caller
            self.handleError(record)

    def _allowed(self, template: str) -> bool:
        with self.lock or _NoLock():
            day = self._today()
            if day != self._day:
                self._day, self._sent_today = day, 0
            if self._sent_today >= self._cap:
                return False
            now = self._clock()
            last = self._last.get(template)
            if last is not None and now - last < self._gap:
                return False
            self._last[template] = now
            self._sent_today += 1
            return True


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
