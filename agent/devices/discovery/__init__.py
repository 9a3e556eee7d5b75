"""Discovery payloads to devices: Zigbee2MQTT, Home Assistant MQTT discovery, Tasmota.

Every payload here is untrusted: each parser raises MalformedMessage (the bridge counts it as
malformed) or skips what it does not understand. No payload can choose a topic outside
what its own protocol's conventions allow a device to have.
"""

from agent.devices.discovery.ha import HA_ABBREVIATIONS, ha_config_key, parse_ha_config
from agent.devices.discovery.tasmota import (
    parse_tasmota_config,
    parse_tasmota_sensors,
    tasmota_identity,
)
from agent.devices.discovery.z2m import (
    SENSOR_PROPERTIES,
    Z2M_MAX_DEPTH,
    Z2M_MAX_DEVICES,
    parse_z2m_devices,
    parse_z2m_groups,
)

__all__ = [
    "HA_ABBREVIATIONS",
    "SENSOR_PROPERTIES",
    "Z2M_MAX_DEPTH",
    "Z2M_MAX_DEVICES",
    "ha_config_key",
    "parse_ha_config",
    "parse_tasmota_config",
    "parse_tasmota_sensors",
    "parse_z2m_devices",
    "parse_z2m_groups",
    "tasmota_identity",
]
