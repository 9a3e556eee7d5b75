"""Issue 16 over the real broker: announcements in, exact command topics and payloads out."""

from __future__ import annotations

import json
from typing import Any

from tests.devices import household as hh
from tests.devices.stack import NoModelRouter, home_stack
from tests.mqtt.client import PeerClient
from tests.support.broker import Broker


async def test_new_payloads_and_state_questions_over_the_broker(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    base, ha = f"{topic_prefix}_z2m", f"{topic_prefix}_ha"
    cfg: dict[str, Any] = hh.config(base, ha)
    async with home_stack(running_broker, topic_prefix, **cfg) as s:
        mqtt_peer.subscribe(f"{base}/#")
        hh.announce(mqtt_peer.publish, base, ha)
        reg = s.home.registry
        await s.wait_for(lambda: reg.resolve("relax") is not None
                         and reg.resolve("movie night") is not None
                         and reg.resolve("study plug temperature") is not None)
        mqtt_peer.drain()

        async def command(intent: str, topic: str, **slots: Any) -> Any:
            await s.text(intent, **slots)
            msg = await mqtt_peer.expect(topic)
            assert not msg.retain
            text = msg.payload.decode()
            return json.loads(text) if text.startswith("{") else text

        assert await command("HassTurnOn", f"{base}/ceiling fan/set", name="ceiling fan") == \
            {"fan_state": "ON"}
        assert await command("HassFanSetSpeed", f"{base}/ceiling fan/set", name="ceiling fan",
                             percentage=50) == {"fan_mode": "medium"}
        assert await command("HassClimateSetTemperature", f"{base}/thermostat/set",
                             name="thermostat", temperature=21) == {"occupied_heating_setpoint": 21}
        assert await command("HearthStop", f"{base}/living room blind/set",
                             name="living room blind") == {"state": "STOP"}
        assert await command("HassTurnOn", f"{base}/living room group/set",
                             name="movie night") == {"scene_recall": 3}
        assert await command("HassFanSetSpeed", f"{base}/office_fan/speed", name="office fan",
                             percentage=100) == "3"
        assert await command("HearthLightUp", f"{base}/kitchen light/set",
                             name="kitchen light") == {"brightness_step": 64}
        # "close the blinds in the office": the blind, never the curtain or class-less cover.
        assert await command("HassTurnOff", f"{base}/office_blind/set", area="office",
                             device_class="blind", domain="cover") == "CLOSE"
        assert [m.topic for m in await mqtt_peer.nothing_on(f"{base}/+/set", 0.3)] == []
        # "stop the ceiling fan" turns it off.
        assert await command("HearthStop", f"{base}/ceiling fan/set", name="ceiling fan") == \
            {"fan_state": "OFF"}

        # States arrive on the devices' own topics.
        mqtt_peer.publish(f"{base}/back door contact", json.dumps({"contact": False}))
        mqtt_peer.publish(f"{base}/bath/state", json.dumps({"temperature": 22.5}))
        contact = reg.resolve("back door contact")
        assert contact is not None
        await s.wait_for(lambda: reg.reading(contact.id).fresh)
        reply = await s.text("HassGetState", name=contact.id, state="open")
        assert reply.text == "Yes, the back door contact is open."
        assert reply.data["op"] == "state" and reply.data["devices"] == [contact.id]
        bath = reg.resolve("bathroom temperature")
        assert bath is not None
        await s.wait_for(lambda: reg.reading(bath.id).fresh)
        reply = await s.text("HassClimateGetTemperature", area="bathroom")
        assert reply.text == "The temperature in the bathroom is 22.5 degrees."
        # Nothing was sent for the questions.
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.3) == []
        assert NoModelRouter.calls == 0
