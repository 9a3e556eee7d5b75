"""A short, bounded history of device state changes, sampled from the registry.

The sampler polls (every `[history] sample_seconds`) instead of hooking the device code, so
agent/devices stays untouched. Only devices a model may see (`[privacy]` exposure) are
sampled; floats are rounded to one decimal so sensor noise does not fill the table. After
each sample the table is pruned to `[history] days` and at most `[history] max_rows` rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from agent.config.privacy import HistorySection
from agent.db import Database
from agent.db.models import StateChange
from agent.devices.model import Device, DeviceState
from agent.errors import HearthError

log = logging.getLogger(__name__)

_KEY_CHARS = 64
_VALUE_CHARS = 255


class StateSource(Protocol):
    """The part of the device registry the sampler reads."""

    def devices(self) -> list[Device]:
        """Every known device."""
        ...

    def state(self, device_id: str) -> DeviceState | None:
        """The device's last reported state."""
        ...


@dataclass(frozen=True, slots=True)
class Change:
    """One stored change: when, which device, which value became what."""

    at: datetime
    device_id: str
    key: str
    value: str


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{round(value, 1):g}"
    return str(value)[:_VALUE_CHARS]


def snapshot(devices: Iterable[Device], source: StateSource) -> dict[tuple[str, str], str]:
    """The current (device id, key) -> value text of `devices` that reported a state."""
    values: dict[tuple[str, str], str] = {}
    for device in devices:
        state = source.state(device.id)
        if state is None:
            continue
        for key, value in state.values.items():
            if value is None or isinstance(value, (dict, list)):
                continue  # structured values (colour objects) are not history material
            values[(device.id, str(key)[:_KEY_CHARS])] = _text(value)
    return values


class StateHistory:
    """Samples exposed devices' states into `state_change`, prunes it, and answers queries."""

    def __init__(self, db: Database, source: StateSource, visible: Callable[[Device], bool],
                 config: HistorySection, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._source = source
        self._visible = visible
        self._config = config
        self._clock = clock
        self._last: dict[tuple[str, str], str] = {}

    @property
    def interval(self) -> float:
        """Seconds between samples."""
        return self._config.sample_seconds

    async def sample(self) -> int:
        """Store what changed since the last sample (everything, the first time); prune."""
        exposed = [d for d in self._source.devices() if self._visible(d)]
        current = snapshot(exposed, self._source)
        changed = {k: v for k, v in current.items() if self._last.get(k) != v}
        self._last = current  # a device that vanished or got hidden drops out of the diff
        now = self._clock()
        horizon = now - timedelta(days=self._config.days)
        max_rows = self._config.max_rows

        def tx(session: Session) -> int:
            session.add_all(StateChange(at=now, device_id=d, key=k, value=v)
                            for (d, k), v in sorted(changed.items()))
            session.flush()
            _prune(session, horizon, max_rows)
            return len(changed)

        return await self._db.write(tx)

    async def run(self) -> None:
        """Sample every `interval` seconds until cancelled; a failed sample is logged, not fatal."""
        while True:
            try:
                await self.sample()
            except HearthError as exc:
                log.warning("state history not sampled: %s", exc)
            except Exception:
                log.exception("state history sample failed")
            await asyncio.sleep(self.interval)

    async def prune(self) -> None:
        """Delete rows older than `days` and the oldest past `max_rows`."""
        horizon = self._clock() - timedelta(days=self._config.days)
        max_rows = self._config.max_rows
        await self._db.write(lambda s: _prune(s, horizon, max_rows))


def _prune(session: Session, horizon: datetime, max_rows: int) -> None:
    session.execute(delete(StateChange).where(StateChange.at < horizon))
    count = session.scalar(select(func.count()).select_from(StateChange)) or 0
    if count > max_rows:
        # The id of the oldest row to keep; ids only grow, so lower ids are older.
        keep_from = session.scalar(select(StateChange.id).order_by(StateChange.id.desc())
                                   .offset(max_rows - 1).limit(1))
        if keep_from is not None:
            session.execute(delete(StateChange).where(StateChange.id < keep_from))


async def changes(db: Database, device_ids: Iterable[str], since: datetime,
                  limit: int) -> list[Change]:
    """Changes of `device_ids` at or after `since`, oldest first: the newest `limit` of them."""
    ids = sorted(set(device_ids))
    if not ids:
        return []

    def tx(session: Session) -> list[Change]:
        rows = session.scalars(
            select(StateChange).where(StateChange.device_id.in_(ids), StateChange.at >= since)
            .order_by(StateChange.at.desc(), StateChange.id.desc()).limit(limit))
        return [Change(r.at, r.device_id, r.key, r.value) for r in rows][::-1]

    return await db.read(tx)
