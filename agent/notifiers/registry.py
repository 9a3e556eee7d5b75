"""Building the configured notifiers: built-ins by name, others from installed packages.

A package adds a notifier the way it adds a skill, through an entry point::

    [project.entry-points."hearth.notifiers"]
    ntfy = "hearth_ntfy:make"      # make(context: NotifierContext) -> Notifier

and the household lists it in `[briefing] notifiers = ["mqtt", "file", "ntfy"]`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from agent.config.root import HearthConfig
from agent.errors import ConfigError, StartupError
from agent.notifiers.builtin import FileNotifier, MqttNotifier
from agent.notifiers.types import Notifier, Publish

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "hearth.notifiers"


@dataclass(frozen=True, slots=True)
class NotifierContext:
    """What a notifier factory is given."""

    config: HearthConfig
    state_dir: Path
    publish: Publish | None


def _builtin(name: str, ctx: NotifierContext) -> Notifier | None:
    if name == "file":
        return FileNotifier(ctx.state_dir)
    if name == "mqtt":
        if ctx.publish is None:
            # Expected in `config check` and in-process CLI runs, which open no broker connection.
            log.debug("notifier mqtt skipped: no MQTT connection in this process")
            return None
        return MqttNotifier(ctx.publish, ctx.config.mqtt.prefix)
    return None


def build_notifiers(names: Sequence[str], ctx: NotifierContext) -> list[Notifier]:
    """The notifiers named in `names`, in order. An unknown name is a ConfigError."""
    found: list[Notifier] = []
    plugins = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    for name in dict.fromkeys(names):
        if name in ("file", "mqtt"):
            notifier = _builtin(name, ctx)
        elif name in plugins:
            try:
                factory: Callable[[NotifierContext], Notifier] = plugins[name].load()
                notifier = factory(ctx)
            except Exception as exc:
                log.exception("notifier %s failed to load", name)
                raise StartupError(f"notifier {name!r} failed to load: {exc}") from exc
        else:
            known = ", ".join(sorted({"file", "mqtt", *plugins}))
            raise ConfigError(f"briefing.notifiers: unknown notifier {name!r} (known: {known})")
        if notifier is not None:
            found.append(notifier)
    return found
