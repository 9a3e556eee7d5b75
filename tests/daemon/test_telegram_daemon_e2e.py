"""The Telegram chat inside a real `hearth run`: enabled by config, token from the
environment, talking to the loopback Bot API; a device command reaches the real broker, a lock
waits for the button, and `hearth status --json` shows the chat without its token."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from tests.control.test_approval_daemon import hearth, wait_until
from tests.support.broker import Broker
from tests.support.daemon_config import daemon_config, topic_device
from tests.support.daemon_proc import DaemonProcess
from tests.support.fake_telegram import FakeTelegram

TOKEN = "987654321:CANARYdaemonTokenNeverPrint-0123456789"
TOKEN_ENV = "HEARTH_TEST_TELEGRAM_TOKEN"
ME = 4242001
STRANGER = 5151002


class Devices:
    """A broker client that records what hearth publishes to the devices."""

    def __init__(self, broker: Broker, topic: str) -> None:
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="tg-devices")
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()
        # Subscribed before the daemon starts: no command can slip past unseen.
        assert subscribed.wait(10), f"no SUBACK for {topic}"

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.seen.append((message.topic, message.payload.decode()))

    def got(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.seen)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_a_phone_chat_switches_a_light_and_approves_a_lock_through_the_daemon(
        running_broker: Broker, topic_prefix: str, tmp_path: Path) -> None:
    fake = FakeTelegram(TOKEN)
    fake.start()
    dev = f"{topic_prefix}_dev"
    state = tmp_path / "state"
    devices = (topic_device("kitchen light", "light", f"{dev}/kitchen/set")
               + topic_device("back door", "lock", f"{dev}/backdoor/set") + f"""
[telegram]
enabled = true
token = {{ env = "{TOKEN_ENV}" }}
allowed_chats = [{ME}]
api_url = "{fake.url}"
poll_timeout = 1
""")
    cfg = tmp_path / "config.toml"
    cfg.write_text(daemon_config(state, running_broker, topic_prefix, extra=devices),
                   encoding="utf-8")
    watcher = Devices(running_broker, f"{dev}/#")
    daemon = DaemonProcess(cfg, tmp_path, extra_env={TOKEN_ENV: TOKEN})
    try:
        wait_until(lambda: fake.calls_of("getUpdates"), timeout=20)  # the chat is polling
        fake.message(STRANGER, "unlock the back door")
        fake.message(ME, "turn off the kitchen light")
        wait_until(lambda: (f"{dev}/kitchen/set", "OFF") in watcher.got(), timeout=20)
        wait_until(lambda: fake.sent(ME), timeout=20)
        fake.message(ME, "unlock the back door")
        wait_until(lambda: fake.buttons(ME), timeout=20)
        buttons = fake.buttons(ME)
        message_id, approve, _deny = buttons[0]
        assert (f"{dev}/backdoor/set", "UNLOCK") not in watcher.got()
        fake.tap(ME, ME, approve, message_id)
        wait_until(lambda: (f"{dev}/backdoor/set", "UNLOCK") in watcher.got(), timeout=20)
        # The stranger got nothing and moved nothing.
        assert fake.sent(STRANGER) == []
        status = hearth("--config", str(cfg), "status", "--json")
        assert status.returncode == 0, status.stderr
        chat = json.loads(status.stdout)["telegram"]
        assert chat["approved"] == 1 and chat["chats"] == [ME]
        assert chat["refused_chats"] == 1
        everything = daemon.log_text() + status.stdout + status.stderr
        assert TOKEN not in everything and TOKEN.split(":")[1] not in everything
    finally:
        watcher.close()
        daemon.close()
        fake.stop()
