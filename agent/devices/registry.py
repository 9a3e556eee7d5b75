"""The device registry: configured devices plus discovered ones, and their reported state.

The daemon feeds every inbound MQTT message to `DeviceRegistry.handle_message` (the home
skill does not subscribe to discovery or state topics itself): discovery configs add or
remove devices, state topics update `state()`. New state topics are passed to the
``subscribe`` callback (the bridge's), so they are renewed on every reconnect.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agent.config import HearthConfig
from agent.devices import adapters
from agent.devices import state as states
from agent.devices.discovery import (
    parse_ha_config,
    parse_tasmota_config,
    parse_tasmota_sensors,
    parse_z2m_devices,
    parse_z2m_groups,
    tasmota_identity,
)
from agent.devices.model import (
    DesiredState,
    Device,
    DeviceState,
    PlannedCommand,
    normalise,
    slug,
)
from agent.devices.places import Household, config_device, slot_lists
from agent.devices.sensitivity import command_topics, confirmation_reason, topic_owners
from agent.errors import ConfigError, MalformedMessage, RefusedMessage
from agent.mqtt.topics import topic_matches

if TYPE_CHECKING:
    from agent.devices.queries import StateAnswer, StateQuestion

log = logging.getLogger(__name__)

Z2M_DEVICES_MAX_BYTES = 8 * 1024 * 1024


class DeviceRegistry:
    """Every device hearth may command, by id, name, alias and area."""

    def __init__(self, config: HearthConfig, *,
                 subscribe: Callable[[str], None] | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        disc = config.discovery
        self.household = Household(config)
        self.state_max_age = disc.state_max_age
        self.brightness_step = disc.brightness_step
        self._wall = wall
        self._tasmota: dict[str, tuple[tuple[str, str, str] | None, bytes | None]] = {}
        self.z2m_base = disc.zigbee2mqtt_base
        self.ha_prefix = config.mqtt.discovery_prefix if disc.homeassistant else None
        self.tasmota = disc.tasmota
        # What hearth itself takes requests and confirmations on: no device may send there.
        self._own_inputs = tuple(f"{config.mqtt.prefix}/{t}" for t in ("ask", "confirm"))
        self._subscribe = subscribe
        self._config: dict[str, Device] = {}
        self._discovered: dict[str, dict[str, Device]] = {}  # source key -> id -> device
        self._states: dict[str, DeviceState] = {}
        self._subscribed: set[str] = set()
        self.version = 0
        self._by_name: dict[str, Device] = {}
        self._owners: dict[str, Device] = {}
        self._refusals_logged: set[tuple[str, str]] = set()
        self._by_state_topic: dict[str, list[Device]] = {}
        self._command_topics: set[str] = set()
        self._slot_cache: tuple[int, dict[str, Any]] | None = None
        self._all: list[Device] = []
        self._by_id: dict[str, Device] = {}
        problems: list[str] = []
        for i, section in enumerate(config.devices):
            device, bad = config_device(i, section, self.z2m_base or "zigbee2mqtt")
            problems += bad
            if device is None:
                continue
            if device.id in self._config:
                problems.append(f"devices[{i}].name: {section.name!r} is declared twice")
                continue
            self._config[device.id] = device
        if problems:
            raise ConfigError("invalid devices", problems)
        self._rebuild()

    # -- lookups ------------------------------------------------------------------------

    def devices(self) -> list[Device]:
        """Every device, configured first."""
        return list(self._all)

    def _merge(self) -> list[Device]:
        """Configured devices, then the discovered ones that take nothing from another.

        A discovered device is refused when it would redefine a configured device (same id,
        name or command topic) or claim a command topic another known device already holds.
        Devices accepted before keep their claims, so a newcomer cannot push them out, except
        that a sensitive device's claim to its own topic beats an ordinary device's.
        """
        accepted: dict[str, Device] = dict(self._config)
        holders = {t: d for d in self._config.values() for t in command_topics(d)}
        config_names = {normalise(n) for d in self._config.values()
                        for n in (d.id, *d.spoken_names())}
        announced = [(source, self.household.apply(d, config_names))
                     for source, group in self._discovered.items() for d in group.values()]
        # Sensitive devices claim first (an early fake "switch" on the lock's topic must not
        # push the real lock out); then what was accepted last time; then newcomers in order.
        announced.sort(key=lambda sd: (not sd[1].sensitive, sd[1].id not in self._by_id))
        for source, device in announced:
            reason = self._refusal(device, accepted, holders, config_names)
            if reason is not None:
                # A config entry for this very device (same protocol and address) is the
                # household's override, not a takeover: worth a line, not a warning.
                same = any(c.protocol == device.protocol and c.address == device.address
                           for c in self._config.values() if c.address)
                self._log_refusal(source, device, reason, logging.INFO if same else logging.WARNING)
                continue
            accepted[device.id] = device
            for topic in command_topics(device):
                holders[topic] = device
        self._owners = topic_owners(self._config, [d for _, d in announced])
        return list(accepted.values())

    def _refusal(self, device: Device, accepted: dict[str, Device], holders: dict[str, Device],
                 config_names: set[str]) -> str | None:
        if device.id in accepted:
            return f"id {device.id} is already taken by {accepted[device.id].source}"
        for topic in command_topics(device):
            if topic in self._own_inputs or topic.startswith(
                    tuple(t + "/" for t in self._own_inputs)):
                return f"command topic {topic} is hearth's own"
            holder = holders.get(topic)
            if holder is not None and holder.id != device.id and not (
                    holder.kind == device.kind == "scene" and holder.source == device.source):
                # (Scenes of one Zigbee group share the group's command topic.)
                return f"command topic {topic} belongs to {holder.id} ({holder.source})"
        taken = config_names.intersection(normalise(n) for n in device.spoken_names())
        if taken:
            return f"name {sorted(taken)[0]!r} belongs to a configured device"
        return None

    def _log_refusal(self, source: str, device: Device, reason: str, level: int) -> None:
        key = (f"{source}:{device.id}", reason)
        if key in self._refusals_logged:
            return
        if len(self._refusals_logged) > 10_000:
            self._refusals_logged.clear()  # a flood of fake announcements must not grow memory
        self._refusals_logged.add(key)
        log.log(level, "discovered %s %r (%s) refused: %s", device.kind, device.name, device.id,
                reason)

    def get(self, device_id: str) -> Device | None:
        """A device by id."""
        return self._by_id.get(device_id)

    def resolve(self, name: str) -> Device | None:
        """A device by id, name or alias (case and "the" do not matter); None when unknown."""
        key = normalise(name)
        return self._by_name.get(key) or self._by_name.get(slug(name))

    def in_area(self, area: str, domain: str | None = None) -> list[Device]:
        """Controllable devices in `area`, optionally of one Home Assistant domain."""
        wanted = self.household.area(area)
        return [d for d in self._all
                if d.area == wanted and d.controllable and (domain is None or d.domain == domain)]

    def areas(self) -> list[str]:
        """Known area names: configured `[[areas]]` and every device's area."""
        return sorted({d.area for d in self.devices() if d.area}
                      | set(self.household.area_words().values()))

    def reading(self, device_id: str) -> states.Reading:
        """The device's last value and whether it may be answered with (see agent.devices.state).

        Read-only: what `DeviceView` users (skills, context tools) may rely on. Unknown when
        never reported, offline, or older than the device's age limit.
        """
        device = self._by_id.get(device_id)
        if device is None:
            return states.Reading(None, None, None, False, "is not a known device")
        return states.reading(device, self._states.get(device_id),
                              default_max_age=self.state_max_age, now=self._wall())

    def answer(self, question: StateQuestion) -> StateAnswer:
        """A state question answered from reported states (agent/devices/queries.py).

        Read-only like `reading`: no tool grant is needed to ask.
        """
        from agent.devices.queries import answer

        return answer(self, question)

    def state(self, device_id: str) -> DeviceState | None:
        """The last reported state, or None when the device never reported."""
        return self._states.get(device_id)

    def is_command_topic(self, topic: str) -> bool:
        """Whether `topic` commands a device (so no request may choose it as a reply topic)."""
        # Refused announcements count too: a lock whose claim lost is still a lock.
        return topic in self._command_topics or topic in self._owners or any(
            topic.startswith(t.rsplit("/", 1)[0] + "/") for t in self._command_topics
            if t.startswith("cmnd/"))

    def plan(self, device: Device, desired: DesiredState) -> PlannedCommand:
        """The publish for `desired`; DeviceError when the device cannot do it.

        ``needs_confirmation`` is decided by `confirmation_reason` (the target), not by the
        adapter's view of this one entry.
        """
        known = self._states.get(device.id)
        command = adapters.plan(device, desired, z2m_base=self.z2m_base or "zigbee2mqtt",
                                brightness_now=known.values.get("brightness") if known else None)
        held = self.confirmation_reason(device, command) is not None
        return replace(command, needs_confirmation=held)

    def owner_of(self, topic: str) -> Device | None:
        """The device deciding the sensitivity of commands on `topic` (None: nobody's)."""
        owner = self._owners.get(topic)
        if owner is None and topic.startswith("cmnd/"):
            # Tasmota takes commands on any cmnd/<topic>/<Command>.
            base = topic.rsplit("/", 1)[0] + "/"
            owner = next((d for t, d in self._owners.items() if t.startswith(base)), None)
        return owner

    def confirmation_reason(self, device: Device, command: PlannedCommand) -> str | None:
        """Why `command` must wait for a person, or None: the one check every publish passes."""
        return confirmation_reason(device, command, self.owner_of(command.topic))

    def slot_lists(self) -> dict[str, Any]:
        """hassil slot lists "name", "area", "floor" (agent.devices.places.slot_lists)."""
        if self._slot_cache is not None and self._slot_cache[0] == self.version:
            return self._slot_cache[1]
        lists = slot_lists(self.devices(), self.household)
        self._slot_cache = (self.version, lists)
        return lists

    def large_topics(self) -> dict[str, int]:
        """Topics whose messages may exceed the usual size limit, with their own limit."""
        if not self.z2m_base:
            return {}
        # Zigbee2MQTT lists every device with its full `exposes`: megabytes in a big house.
        return {f"{self.z2m_base}/bridge/devices": Z2M_DEVICES_MAX_BYTES}

    def topics(self) -> list[str]:
        """What the daemon should subscribe to for discovery and state."""
        out: list[str] = []
        if self.z2m_base:
            out += [f"{self.z2m_base}/bridge/devices", f"{self.z2m_base}/bridge/groups"]
        if self.ha_prefix:
            out += [f"{self.ha_prefix}/+/+/config", f"{self.ha_prefix}/+/+/+/config"]
        if self.tasmota:
            out += ["tasmota/discovery/+/config", "tasmota/discovery/+/sensors"]
        return out + sorted(self._by_state_topic)

    # -- inbound ------------------------------------------------------------------------

    def handle_message(self, topic: str, payload: bytes) -> bool:
        """Take a discovery or state message; True when it was one. MalformedMessage when malformed."""
        if self.z2m_base and topic.startswith(f"{self.z2m_base}/bridge/"):
            return self._z2m_message(topic, payload)
        if self.ha_prefix and topic.startswith(self.ha_prefix + "/") and topic.endswith("/config"):
            parsed = parse_ha_config(topic, payload, self.ha_prefix)
            if parsed is not None:
                key, device = parsed
                group = dict(self._discovered.get("homeassistant", {}))
                if device is None:
                    group.pop(key, None)
                else:
                    group[key] = device
                self._replace("homeassistant", group)
            return True
        if self.tasmota and topic.startswith("tasmota/discovery/") and topic_matches(
                "tasmota/discovery/+/+", topic) and topic.endswith(("/config", "/sensors")):
            self._tasmota_message(topic, payload)
            return True
        devices = self._by_state_topic.get(topic)
        for device in devices or ():
            available = states.availability_of(device, topic, payload)
            if available is not None:
                self._state_for(device).available = available
                continue
            values = states.parse(device, topic, payload)
            if values:
                states.update(self._state_for(device), values, self._wall())
        return bool(devices)

    def _z2m_message(self, topic: str, payload: bytes) -> bool:
        if topic == f"{self.z2m_base}/bridge/devices":
            try:
                found = parse_z2m_devices(payload, self.z2m_base or "")
            except MalformedMessage as exc:
                kept = len(self._discovered.get("zigbee2mqtt", {}))
                raise RefusedMessage(f"device list refused ({exc}); keeping the {kept} known "
                                     "Zigbee devices") from None
            self._replace("zigbee2mqtt", {d.id: d for d in found})
            return True
        if topic == f"{self.z2m_base}/bridge/groups":
            scenes = parse_z2m_groups(payload, self.z2m_base or "") if payload.strip() else []
            self._replace("zigbee2mqtt:scenes", {d.id: d for d in scenes})
            return True
        return False

    def _tasmota_message(self, topic: str, payload: bytes) -> None:
        # Sensors need the topic from the config; either may arrive first.
        mac = topic.split("/")[2]
        identity, sensors = self._tasmota.get(mac, (None, None))
        if topic.endswith("/config"):
            identity = tasmota_identity(payload) if payload.strip() else None
            found = parse_tasmota_config(payload) if payload.strip() else []
            self._replace(f"tasmota:{mac}", {d.id: d for d in found})
        else:
            sensors = payload if payload.strip() else None
            if sensors is not None:
                parse_tasmota_sensors(sensors, "t", "t", mac)  # malformed: refused, not kept
        self._tasmota[mac] = (identity, sensors)
        if len(self._tasmota) > 2000:
            self._tasmota.pop(next(iter(self._tasmota)))
        readings = parse_tasmota_sensors(sensors, *identity) if identity and sensors else []
        self._replace(f"tasmota-sensors:{mac}", {d.id: d for d in readings})

    def _state_for(self, device: Device) -> DeviceState:
        return self._states.setdefault(device.id, DeviceState())

    def _replace(self, source: str, group: dict[str, Device]) -> None:
        if self._discovered.get(source) == group:
            return
        self._discovered[source] = group
        self._rebuild()
        log.info("device registry: %d devices (%s updated)", len(self.devices()), source)

    def _rebuild(self) -> None:
        self.version += 1
        config_names = {n for d in self._config.values() for n in d.spoken_names()}
        self._all = [self.household.apply(d, config_names - set(d.spoken_names()))
                     if d.source == "config" else d for d in self._merge()]
        self.household.log_unmatched()
        self._by_id = {d.id: d for d in self._all}
        by_name: dict[str, Device] = {}
        by_state: dict[str, list[Device]] = {}
        commands: set[str] = set()
        for device in self.devices():
            for spoken in (device.id, *device.spoken_names()):
                key = normalise(spoken)
                other = by_name.get(key)
                if other is not None and other.id != device.id:
                    log.warning("device name %r is used by %s and %s; %s keeps it",
                                key, other.id, device.id, other.id)
                    continue
                by_name[key] = device
            if device.command_topic:
                commands.add(device.command_topic)
            for topic in states.state_topics(device):
                by_state.setdefault(topic, []).append(device)
        self._by_name = by_name
        self._by_state_topic = by_state
        self._command_topics = commands
        new = [t for t in by_state if t not in self._subscribed]
        self._subscribed.update(new)
        if self._subscribe is not None:
            for topic in new:
                self._subscribe(topic)

