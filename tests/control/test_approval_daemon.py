"""Who may approve an unlock, against a real `hearth run` process and the real broker.

The CLI (`ask`, `confirm`, `pending`) talks to the daemon over its control socket, so the
id one process prints is confirmed from another; a client on the broker that reads every
topic and replays every id it sees gets nothing: approval over MQTT is off by default.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from tests.support.broker import Broker, free_port
from tests.support.daemon_config import topic_device
from tests.support.daemon_proc import DaemonProcess

REPO = Path(__file__).resolve().parents[2]
# Anything that could be an action id, old style (6 letters) or new (groups of 5).
ID_LIKE = re.compile(rb"[a-z0-9]{5}(?:-[a-z0-9]{5}){3}|\b[a-z2-9]{6}\b")


def hearth(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """One CLI process, with no $RUNTIME_DIRECTORY (the socket is in the state dir)."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("RUNTIME_DIRECTORY", "HEARTH_CONFIG", "ANTHROPIC_API_KEY")}
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "agent.cli.main", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=90, check=False, env=base)


class Snoop:
    """A broker client that reads `#` and publishes every id-like string to <prefix>/confirm."""

    def __init__(self, broker: Broker, prefix: str, *, username: str | None = None,
                 password: str | None = None, replay: bool = True) -> None:
        self.prefix = prefix
        self.replaying = replay
        self.seen: list[tuple[str, bytes]] = []
        self.replayed: set[bytes] = set()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_message = self._on_message
        ready = threading.Event()
        self.client.on_subscribe = lambda *_a: ready.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        self.client.subscribe("#", qos=1)
        assert ready.wait(5)

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        payload = bytes(msg.payload)
        self.seen.append((msg.topic, payload))
        if msg.topic == f"{self.prefix}/confirm" or not self.replaying:
            return
        for found in ID_LIKE.findall(payload):
            self.replay(found)

    def replay(self, action_id: bytes) -> None:
        self.replayed.add(action_id)
        self.client.publish(f"{self.prefix}/confirm", action_id, qos=1)
        self.client.publish(f"{self.prefix}/confirm", json.dumps({"id": action_id.decode()}),
                            qos=1)

    def on(self, topic: str) -> list[bytes]:
        return [p for t, p in list(self.seen) if t == topic]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def write_config(tmp: Path, broker: Broker, prefix: str, extra: str = "",
                 *, with_devices: bool = True) -> Path:
    cfg = tmp / "config.toml"
    devices = (topic_device("front door", "lock", f"{prefix}_dev/front_door/set")
               if with_devices else "")
    cfg.write_text(f"""
[hearth]
state_dir = "{tmp / 'state'}"
[mqtt]
host = "{broker.host}"
port = {broker.port}
prefix = "{prefix}"
discovery_prefix = "{prefix}_ha"
[ollama]
host = "http://127.0.0.1:{free_port()}"
[anthropic]
api_key = {{ env = "HEARTH_TEST_NO_KEY" }}
[discovery]
zigbee2mqtt_base = "{prefix}_z2m"
confirm_timeout = 120
{devices}
{extra}
""")
    return cfg


@pytest.fixture
def daemon_for(tmp_path: Path) -> Iterator[Any]:
    started: list[DaemonProcess] = []

    def start(cfg: Path, env: dict[str, str] | None = None) -> DaemonProcess:
        daemon = DaemonProcess(cfg, tmp_path, extra_env=env)
        started.append(daemon)
        daemon.notify.wait_for("READY", "1", timeout=30)
        daemon.wait_for_log("connected", timeout=15)
        return daemon

    yield start
    for daemon in started:
        daemon.close()


def wait_until(cond: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_ask_in_one_process_confirm_in_another_and_snooping_gets_nothing(
    tmp_path: Path, running_broker: Broker, topic_prefix: str, daemon_for: Any
) -> None:
    prefix = topic_prefix
    lock_topic = f"{prefix}_dev/front_door/set"
    cfg = write_config(tmp_path, running_broker, prefix)
    daemon_for(cfg)
    snoop = Snoop(running_broker, prefix)
    try:
        # A request over MQTT too: its answer on the shared <prefix>/reply carries no id.
        snoop.client.publish(f"{prefix}/ask", "unlock the front door", qos=1)
        wait_until(lambda: snoop.on(f"{prefix}/reply"))
        shared = snoop.on(f"{prefix}/reply")[0].decode()
        assert "hearth pending" in shared and not re.search(r"(?:-[a-z2-9]{5}){3}", shared)

        asked = hearth("--config", str(cfg), "ask", "--json", "unlock the front door")
        assert asked.returncode == 0, asked.stderr
        out = json.loads(asked.stdout)
        assert out["via"] == "daemon" and "no daemon running" not in asked.stderr
        [action] = out["actions"]
        assert action["status"] == "pending" and action["topic"] == lock_topic
        action_id = action["pending_id"]
        assert re.fullmatch(r"[a-z2-9]{5}(?:-[a-z2-9]{5}){3}", action_id)
        assert f"hearth confirm {action_id}" in out["text"]

        # The snoop even learns the real id; the broker path still approves nothing.
        snoop.replay(action_id.encode())
        snoop.replay(action_id.replace("-", "").upper().encode())
        time.sleep(1.0)
        assert snoop.on(lock_topic) == []

        listed = hearth("--config", str(cfg), "pending", "--json")
        assert listed.returncode == 0, listed.stderr
        ids = [p["id"] for p in json.loads(listed.stdout)["pending"]]
        assert action_id in ids and len(ids) == 2  # the MQTT request's one waits too

        confirmed = hearth("--config", str(cfg), "confirm", action_id)
        assert confirmed.returncode == 0, confirmed.stderr
        assert "Front door is unlocked" in confirmed.stdout
        wait_until(lambda: snoop.on(lock_topic))
        again = hearth("--config", str(cfg), "confirm", action_id)
        assert again.returncode == 1
        assert "unknown, already used or expired" in again.stderr
        as_json = hearth("--config", str(cfg), "confirm", "--json", action_id)
        assert as_json.returncode == 1 and as_json.stderr == ""
        refused = json.loads(as_json.stdout)
        assert refused["ok"] is False and refused["id"] == action_id
        assert "unknown, already used or expired" in refused["error"]
        time.sleep(1.0)
        assert snoop.on(lock_topic) == [b"UNLOCK"]  # exactly once

        [other] = [i for i in ids if i != action_id]
        cancelled = hearth("--config", str(cfg), "confirm", "--cancel", "--json", other)
        assert cancelled.returncode == 0, cancelled.stderr
        reply = json.loads(cancelled.stdout)
        assert reply["ok"] is True and reply["id"] == other and reply["reply"]

        history = hearth("--config", str(cfg), "pending", "--history", "--json")
        assert history.returncode == 0, history.stderr
        events = [(e["kind"], e["path"], e["code"])
                  for e in json.loads(history.stdout)["history"]]
        code = action_id[:5]
        assert ("requested", "request", code) in events
        assert ("approved", "control", code) in events
        assert ("refused", "control", code) in events
        assert not any(path == "mqtt" for _, path, _ in events)  # never even subscribed
        text = hearth("--config", str(cfg), "pending", "--history")
        assert text.returncode == 0 and "approved" in text.stdout and code in text.stdout
        assert action_id not in text.stdout.split("nothing waits")[-1]  # history: codes only
    finally:
        snoop.close()


def test_dry_run_through_the_daemon_plans_discovered_devices(
    tmp_path: Path, running_broker: Broker, topic_prefix: str, daemon_for: Any
) -> None:
    prefix = topic_prefix
    cfg = write_config(tmp_path, running_broker, prefix, with_devices=False)
    alone = hearth("--config", str(cfg), "ask", "--dry-run", "--json", "turn on the porch fountain")
    assert "no daemon running" in alone.stderr
    assert not json.loads(alone.stdout or "{}").get("actions")  # the config knows no device
    announce = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    announce.connect(running_broker.host, running_broker.port)
    announce.loop_start()
    config_topic = f"{prefix}_ha/switch/{prefix[-12:]}/porch/config"
    try:
        daemon = daemon_for(cfg)
        announce.publish(config_topic, json.dumps({
            "name": "Porch Fountain", "cmd_t": f"{prefix}_dev/fountain/set",
            "pl_on": "ON", "pl_off": "OFF", "uniq_id": f"fountain-{prefix}"}),
            qos=1, retain=True).wait_for_publish(5)
        deadline = time.monotonic() + 15
        while True:
            planned = hearth("--config", str(cfg), "ask", "--dry-run", "--json",
                             "turn on the porch fountain")
            out = json.loads(planned.stdout or "{}")
            if out.get("actions") or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert planned.returncode == 0, (planned.stderr, daemon.log_text())
        assert out["via"] == "daemon" and out["dry_run"] is True
        [action] = out["actions"]
        assert action["topic"] == f"{prefix}_dev/fountain/set" and action["payload"] == "ON"
        assert action["status"] == "planned"
    finally:
        announce.publish(config_topic, b"", qos=1, retain=True).wait_for_publish(5)
        announce.loop_stop()
        announce.disconnect()


def test_without_a_daemon_confirm_does_not_use_mqtt_and_ask_says_so(
    tmp_path: Path, running_broker: Broker, topic_prefix: str
) -> None:
    """No daemon: `confirm` refuses (69) and publishes nothing, not even on <prefix>/confirm;
    `ask` runs in-process, says so, holds no pending action it cannot keep, and exits 69."""
    prefix = topic_prefix
    cfg = write_config(tmp_path, running_broker, prefix)
    snoop = Snoop(running_broker, prefix, replay=False)
    try:
        confirmed = hearth("--config", str(cfg), "confirm", "abcde-fghjk-mnpqr-stuvw")
        assert confirmed.returncode == 69
        assert "no hearth daemon is running" in confirmed.stderr
        asked = hearth("--config", str(cfg), "ask", "--json", "unlock the front door")
        assert asked.stderr.strip().splitlines()[0] == ("no daemon running: devices from the "
                                                        "config only")
        assert asked.returncode == 69  # the unlock was not done
        out = json.loads(asked.stdout)
        assert out["via"] == "in-process"
        assert out["text"].startswith("Not done: front door needs confirmation, and no hearth "
                                      "daemon is running")
        [action] = out["actions"]
        assert action["status"] == "failed" and action["pending_id"] is None
        time.sleep(0.5)
        assert snoop.on(f"{prefix}/confirm") == []
        assert snoop.on(f"{prefix}_dev/front_door/set") == []
    finally:
        snoop.close()


ACL_EXAMPLE = REPO / "deploy" / "mosquitto" / "acl.example"
PASSWORDS = {"hearth": "h-s3cret", "household": "family-s3cret", "zigbee2mqtt": "z-s3cret"}


@pytest.fixture
def acl_broker(tmp_path_factory: pytest.TempPathFactory, topic_prefix: str) -> Iterator[Broker]:
    """A Mosquitto with the shipped ACL example (prefixes swapped for this test's) and users."""
    b = Broker(tmp_path_factory.mktemp("aclbroker"))
    passwords = b.workdir / "passwords"
    for n, (user, password) in enumerate(PASSWORDS.items()):
        subprocess.run(["mosquitto_passwd", *(["-c"] if n == 0 else []), "-b", str(passwords),
                        user, password], check=True, capture_output=True, timeout=30)
    passwords.chmod(0o600)
    acl = b.workdir / "acl"
    acl.write_text(ACL_EXAMPLE.read_text()
                   .replace("hearth/", f"{topic_prefix}/")
                   .replace("zigbee2mqtt/", f"{topic_prefix}_z2m/")
                   .replace("homeassistant/", f"{topic_prefix}_ha/"))
    acl.chmod(0o600)
    # `user root`: as root, mosquitto would otherwise drop to a user that cannot read these.
    b.conf.write_text(b.conf.read_text().replace(
        "allow_anonymous true\n",
        f"allow_anonymous false\npassword_file {passwords}\nacl_file {acl}\nuser root\n"))
    try:
        b.start()
        yield b
    finally:
        b.stop()


class Household:
    """The ACL's `household` user: asks over MQTT v5 with its own response topic."""

    def __init__(self, broker: Broker, prefix: str) -> None:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self.prefix = prefix
        self.answers: list[bytes] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.username_pw_set("household", PASSWORDS["household"])
        self.client.on_message = lambda _c, _u, m: self.answers.append(bytes(m.payload))
        ready = threading.Event()
        self.client.on_subscribe = lambda *_a: ready.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        self.client.subscribe(f"{prefix}/reply/household/#", qos=1)
        assert ready.wait(5)
        self.props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        self.props.ResponseTopic = f"{prefix}/reply/household/phone"

    def ask(self, text: str) -> None:
        self.client.publish(f"{self.prefix}/ask", text, qos=1,
                            properties=self.props).wait_for_publish(5)

    def confirm(self, action_id: str) -> None:
        self.client.publish(f"{self.prefix}/confirm", action_id, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_mqtt_approval_with_the_acl_example_only_the_household_approves(
    tmp_path: Path, acl_broker: Broker, topic_prefix: str, daemon_for: Any
) -> None:
    """`[approval] mqtt = true` on a broker with the shipped ACL: the id goes only to the
    household's response topic, and a broker user outside the ACL cannot approve even when
    it has the id; the household can, once."""
    prefix = topic_prefix
    lock_topic = f"{prefix}_z2m/front_door_zb/set"
    cfg = write_config(tmp_path, acl_broker, prefix, extra="""
[[devices]]
name = "back door"
kind = "lock"
protocol = "zigbee2mqtt"
address = "front_door_zb"
[approval]
mqtt = true
""")
    cfg.write_text(cfg.read_text().replace(
        f'prefix = "{prefix}"\n',
        f'prefix = "{prefix}"\nusername = "hearth"\npassword = {{ env = "HEARTH_TEST_MQTT_PW" }}\n'))
    daemon = daemon_for(cfg, {"HEARTH_TEST_MQTT_PW": PASSWORDS["hearth"]})
    outsider = Snoop(acl_broker, prefix, username="zigbee2mqtt", password=PASSWORDS["zigbee2mqtt"])
    household = Household(acl_broker, prefix)
    try:
        anonymous = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        assert anonymous.connect(acl_broker.host, acl_broker.port) == 0
        result = anonymous.loop(timeout=2.0)
        anonymous.loop(timeout=1.0)
        assert not anonymous.is_connected(), result  # the broker refuses anonymous clients

        household.ask("unlock the back door")
        wait_until(lambda: household.answers)
        match = re.search(r"[a-z2-9]{5}(?:-[a-z2-9]{5}){3}", household.answers[0].decode())
        assert match, household.answers
        action_id = match.group(0)
        assert not any(action_id.encode() in p for _, p in outsider.seen)

        outsider.replay(action_id.encode())  # the worst case: the outsider has the id
        time.sleep(1.0)
        assert outsider.on(lock_topic) == []

        household.confirm(action_id)
        wait_until(lambda: outsider.on(lock_topic), timeout=10)
        household.confirm(action_id)
        time.sleep(1.0)
        assert outsider.on(lock_topic) == [b'{"state":"UNLOCK"}']

        history = hearth("--config", str(cfg), "pending", "--history", "--json")
        assert history.returncode == 0, (history.stderr, daemon.log_text()[-2000:])
        events = [(e["kind"], e["path"]) for e in json.loads(history.stdout)["history"]
                  if e["code"] == action_id[:5]]
        assert events == [("requested", "request"), ("approved", "mqtt"), ("refused", "mqtt")]
    finally:
        household.close()
        outsider.close()
