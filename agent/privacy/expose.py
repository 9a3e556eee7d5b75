"""Which devices a model may see at all (`[privacy] expose` / `hide`), for every tier."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol

from agent.config.privacy import PrivacySection

HIDDEN = "[hidden device]"


class DeviceLike(Protocol):
    """What exposure reads of a device (so privacy never imports agent.devices)."""

    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def area(self) -> str | None: ...
    @property
    def kind(self) -> str: ...


def _fold(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values)


class Exposure:
    """Decides which devices models see, and blanks hidden ones out of text."""

    def __init__(self, config: PrivacySection,
                 devices: Callable[[], Iterable[DeviceLike]] = tuple) -> None:
        self._devices = devices
        self._expose = (_fold(config.expose.areas), _fold(config.expose.kinds),
                        _fold(config.expose.devices))
        self._hide = (_fold(config.hide.areas), _fold(config.hide.kinds),
                      _fold(config.hide.devices))

    def visible(self, device: DeviceLike) -> bool:
        """True when the device passes the expose lists (empty: all) and nothing hides it."""
        names = _fold((device.name, *device.aliases))
        area = (device.area or "").strip().lower()
        kind = device.kind.lower()
        areas, kinds, named = self._hide
        if area in areas or kind in kinds or names & named:
            return False
        areas, kinds, named = self._expose
        if not (areas or kinds or named):
            return True
        return area in areas or kind in kinds or bool(names & named)

    def filter(self, devices: Iterable[DeviceLike]) -> list[DeviceLike]:
        """The visible devices, in the given order."""
        return [d for d in devices if self.visible(d)]

    def hidden_names(self) -> frozenset[str]:
        """Names and aliases (lower-case) of every hidden device."""
        hidden: set[str] = set()
        for device in self._devices():
            if not self.visible(device):
                hidden |= _fold((device.name, *device.aliases))
        hidden.discard("")
        return frozenset(hidden)

    def redact(self, text: str) -> str:
        """`text` with every hidden name (whole words, any case) replaced by a placeholder."""
        names = self.hidden_names()
        if not names or not text:
            return text
        # Longest first, so "bedroom lamp" wins over a device called "lamp".
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        return pattern.sub(HIDDEN, text)
