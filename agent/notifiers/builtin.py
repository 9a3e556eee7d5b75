"""The built-in notifiers: MQTT (retained, for dashboards and voice satellites) and a file."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from pathlib import Path

from agent.errors import HearthError
from agent.notifiers.types import Briefing, DeliveryFailed, Publish

log = logging.getLogger(__name__)


class MqttNotifier:
    """Publishes the briefing as JSON on `<prefix>/briefing` and the spoken text on
    `<prefix>/briefing/spoken`, both retained so a device that connects later still gets it.
    (`kind="digest"` publishes the weekly digest on `<prefix>/digest` the same way.)

    Takes a publish callable, not the bridge: the daemon passes its bridge's publish, the
    CLI a one-shot client's.
    """

    name = "mqtt"

    def __init__(self, publish: Publish, prefix: str, *, kind: str = "briefing") -> None:
        self._publish = publish
        self.topic = f"{prefix}/{kind}"

    async def deliver(self, briefing: Briefing) -> None:
        """Publish both topics (retained)."""
        payload = json.dumps(briefing.to_json(), ensure_ascii=False, default=str).encode()
        try:
            await self._publish(self.topic, payload, True)
            await self._publish(f"{self.topic}/spoken", briefing.spoken.encode(), True)
        except HearthError as exc:
            raise DeliveryFailed(f"MQTT publish failed: {exc}", notifier=self.name) from exc


class FileNotifier:
    """Writes `briefings/<date>T<HHMM>.md` in the state directory, and `briefings/latest.md`
    (`digests/...` with `kind="digest"`).

    Each file is written to a temporary name and renamed, so a reader (or a power cut)
    never sees half a briefing.
    """

    name = "file"

    def __init__(self, state_dir: Path, *, kind: str = "briefing") -> None:
        self.directory = state_dir / f"{kind}s"

    async def deliver(self, briefing: Briefing) -> None:
        """Write the Markdown files (blocking file I/O runs in a worker thread)."""
        name = f"{briefing.local_date}T{briefing.local_time.replace(':', '')}.md"
        try:
            path = await asyncio.to_thread(self._write, name, briefing.markdown)
        except OSError as exc:
            raise DeliveryFailed(f"cannot write {self.directory / name}: {exc.strerror}",
                                 notifier=self.name) from exc
        log.info("briefing written to %s", path)

    def _write(self, name: str, text: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        dated = self.directory / name
        n = 1
        while dated.exists():  # a second briefing in the same minute keeps the first
            n += 1
            dated = self.directory / f"{name.removesuffix('.md')}-{n}.md"
        for target in (dated, self.directory / "latest.md"):
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".briefing-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                Path(tmp).replace(target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return dated
