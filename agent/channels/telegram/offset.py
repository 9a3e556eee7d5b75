"""The last Telegram update hearth took, on disk: an update is handled at most once.

Telegram forgets an update only when the next getUpdates asks for a higher offset, so a
crash between handling and that call would hand it over again. The id is therefore
written (atomically, fsynced) *before* its update is handled: after a power cut an approval
tap may be lost, never replayed. Losing one is the safe side: the person taps again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from agent.errors import StorageError

log = logging.getLogger(__name__)

FILE_NAME = "telegram-offset.json"
# Telegram keeps an update at most 24 hours; past that nothing handled can come back, and
# update ids may even restart at random after a week of silence, so an old mark is dropped.
KEEP_S = 25 * 3600.0


class OffsetStore:
    """The highest update id taken, with when it was saved (wall clock, survives restarts)."""

    def __init__(self, state_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = state_dir / FILE_NAME
        self._clock = clock
        self.last: int | None = None
        self._saved_at = 0.0
        self._load()

    def _load(self) -> None:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            # Unreadable: start from what Telegram still holds (at worst one day of updates
            # comes again, which beats never answering). Said loudly.
            log.warning("telegram: %s unreadable (%s); taking updates from Telegram's queue",
                        self.path, exc)
            return
        last, saved = (doc.get("last_update_id"), doc.get("saved_at")) \
            if isinstance(doc, dict) else (None, None)
        if isinstance(last, int) and isinstance(saved, int | float):
            self.last, self._saved_at = last, float(saved)

    def _fresh(self) -> bool:
        return self.last is not None and self._clock() - self._saved_at < KEEP_S

    def next_offset(self) -> int | None:
        """What getUpdates should ask from (confirming everything taken), or None for all."""
        return self.last + 1 if self.last is not None and self._fresh() else None

    def taken(self, update_id: int) -> bool:
        """True when `update_id` was taken already (a replay: skip it)."""
        return self.last is not None and self._fresh() and update_id <= self.last

    def take(self, update_id: int) -> None:
        """Mark `update_id` taken, durably, before it is handled. StorageError when not."""
        now = self._clock()
        data = json.dumps({"last_update_id": update_id, "saved_at": now})
        try:
            fd, tmp = tempfile.mkstemp(prefix=".telegram-offset.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                Path(tmp).replace(self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            # The rename itself is durable only once the directory is synced.
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise StorageError(f"cannot save the Telegram offset in {self.path}: "
                               f"{exc.strerror or exc}") from exc
        self.last, self._saved_at = update_id, now
