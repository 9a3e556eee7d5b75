"""Trigger-to-command latency and sustained commands/s over a real broker, no model.

Run: .venv/bin/python -m bench.latency        (about a minute; writes bench/results/latency.json)

A child process runs hearth's tier-`none` path exactly as the daemon wires it: MqttBridge ->
`<prefix>/ask` codec -> hassil with home-assistant-intents (filtered to the home skill's
intents) and the registry's slot lists -> the home skill -> `set_device_state` -> a
Zigbee2MQTT command publish. This process plays the user and the devices: it sends
"turn off the <device>" and times until the command for that device arrives. The rule path
(a button press toggling a light) is measured the same way. Lost = sent - commands received.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.common import machine, summary_ms, write_result
from tests.support.broker import Broker

GOAL_P99_MS = 5.0
GOAL_RATE = 1000.0
SIZES = (50, 300)
LATENCY_SAMPLES = 400
WARMUP = 40
BURST = 3000

_ADJ = ("north", "south", "east", "west", "left", "right", "upper", "lower", "front", "back")
_AREAS = ("kitchen", "bedroom", "hall", "office", "attic", "porch", "bathroom", "study",
          "nursery", "pantry")
_ITEMS = ("lamp", "ceiling light", "fan", "plug", "heater", "strip")


def device_names(n: int) -> list[tuple[str, str, str]]:
    """`n` distinct (name, area, kind) triples people could say."""
    out = []
    for adj, area, item in itertools.product(_ADJ, _AREAS, _ITEMS):
        kind = "light" if item in ("lamp", "ceiling light", "strip") else (
            "fan" if item == "fan" else "switch")
        out.append((f"{adj} {area} {item}", area, kind))
    if n > len(out):
        raise ValueError(f"at most {len(out)} devices")
    # Interleave areas so the first 50 span several rooms.
    return sorted(out, key=lambda t: (_ADJ.index(t[0].split()[0]) * 7 + len(t[0])) % 97)[:n]


def build_config(port: int, prefix: str, n: int) -> Any:
    from agent.config import HearthConfig

    base = f"{prefix}_z2m"
    devices = [{"name": name, "area": area, "kind": kind, "protocol": "zigbee2mqtt",
                "address": name.replace(" ", "_")}
               for name, area, kind in device_names(n)]
    rules = [{"topic": f"{prefix}/button/{i}", "payload": "single", "action": "toggle",
              "args": {"device": name}} for i, (name, _, _) in enumerate(device_names(n))]
    return HearthConfig.model_validate({
        "mqtt": {"host": "127.0.0.1", "port": port, "prefix": prefix, "queue_size": 50_000,
                 "client_id": f"hearth-bench-{os.getpid()}"},
        "devices": devices,
        "rules": rules,
        "discovery": {"zigbee2mqtt_base": base, "homeassistant": False, "tasmota": False},
    })


# -- the hearth side (child process) ----------------------------------------------------


async def serve(port: int, prefix: str, n: int) -> None:
    """Run the tier-none path until stdin closes."""
    import logging

    from agent.devices import HomeService, RuleHit
    from agent.mqtt import MessageMeta, MqttBridge, build_reply, parse_ask
    from agent.plugins.contract import ActionEvent, SkillContext, TextEvent
    from skills.home import skill
    from skills.home.sentences import load_intents, match

    config = build_config(port, prefix, n)
    bridge = MqttBridge(config)

    class NoRouter:
        async def complete(self, request: Any, tier: Any = None) -> Any:
            raise AssertionError("tier none made a model call")

    async def run_action(hit: RuleHit) -> None:
        await skill.handler(ctx, ActionEvent(hit.action, hit.args))

    home = HomeService(config, bridge, run_action=run_action)
    ctx = SkillContext(name="home", router=NoRouter(), tools={t.name: t for t in home.tools},
                       config=None, log=logging.getLogger("skills.home"))
    intents = load_intents()
    match("turn on the north kitchen lamp", intents, home.registry.slot_lists())  # warm hassil
    ask = f"{prefix}/ask"

    async def on_message(topic: str, payload: bytes, meta: MessageMeta) -> None:
        if topic == ask:
            request = parse_ask(payload, meta, prefix=prefix)
            found = match(request.text, intents, home.registry.slot_lists())
            if found is None:
                text = "no match"
            else:
                reply = await skill.handler(ctx, TextEvent(request.text, intent=found[0],
                                                           slots=found[1]))
                text = reply.text if reply else ""
            await build_reply(request, text).send(bridge)
            return
        await home.handle_message(topic, payload, meta)

    bridge.on_message = on_message
    bridge.subscribe(ask)
    home.subscribe_all()
    await bridge.start()
    await bridge.wait_connected(20)
    # Blocks until the parent closes our stdin: off the loop, in a thread.
    await asyncio.to_thread(sys.stdin.read)
    stats = bridge.stats
    print(f"stats received={stats.received} dropped_full={stats.dropped_full} "
          f"malformed={stats.dropped_malformed} errors={stats.handler_errors}", flush=True)
    await bridge.stop()


# -- the user and devices side (this process) -------------------------------------------


class Probe:
    """Sends triggers and records when commands arrive."""

    def __init__(self, port: int, prefix: str) -> None:
        self.prefix = prefix
        self.inbox: queue.Queue[tuple[str, float]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{os.getpid()}")
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_message = lambda _c, _u, m: self.inbox.put((m.topic, time.perf_counter()))
        self.client.on_socket_open = lambda _c, _u, sock: sock.setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.online = threading.Event()
        self.client.message_callback_add(f"{prefix}/status", self._status)
        self.client.subscribe(f"{prefix}/status", qos=1)
        self.client.subscribe(f"{prefix}_z2m/+/set", qos=1)

    def _status(self, _c: Any, _u: Any, msg: Any) -> None:
        if msg.payload == b"online":
            self.online.set()

    def drain(self) -> None:
        while not self.inbox.empty():
            self.inbox.get_nowait()

    def send(self, topic: str, payload: str) -> float:
        sent = time.perf_counter()
        self.client.publish(topic, payload, qos=1)
        return sent

    def wait_command(self, topic: str, timeout: float = 5.0) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got, at = self.inbox.get(timeout=0.1)
            except queue.Empty:
                continue
            if got == topic:
                return at
        return None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def measure(port: int, n: int, mode: str) -> dict[str, Any]:
    """Latency one at a time, then a burst for sustained commands/s."""
    prefix = f"bench{n}{mode}"
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.latency", "--serve", "--port", str(port),
         "--prefix", prefix, "--devices", str(n)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    probe = Probe(port, prefix)
    try:
        if not probe.online.wait(60):
            raise RuntimeError("hearth side did not come online")
        time.sleep(0.3)
        names = [name for name, _, _ in device_names(n)]

        def trigger(i: int) -> tuple[str, str, str]:
            name = names[i % n]
            expect = f"{prefix}_z2m/{name.replace(' ', '_')}/set"
            if mode == "text":
                return f"{prefix}/ask", f"turn off the {name}", expect
            return f"{prefix}/button/{i % n}", "single", expect

        samples: list[float] = []
        lost_latency = 0
        for i in range(WARMUP + LATENCY_SAMPLES):
            topic, payload, expect = trigger(i)
            sent = probe.send(topic, payload)
            got = probe.wait_command(expect)
            if got is None:
                lost_latency += 1
            elif i >= WARMUP:
                samples.append(got - sent)
        probe.drain()
        started = time.perf_counter()
        for i in range(BURST):
            topic, payload, _ = trigger(i)
            probe.send(topic, payload)
        received, last = 0, started
        deadline = time.monotonic() + 30
        while received < BURST and time.monotonic() < deadline:
            try:
                _, last = probe.inbox.get(timeout=0.5)
                received += 1
            except queue.Empty:
                continue
        elapsed = last - started
        out: dict[str, Any] = {
            "devices": n, "mode": mode, "samples": len(samples), **summary_ms(samples),
            "max_ms": round(max(samples) * 1000, 3) if samples else None,
            "latency_lost": lost_latency,
            "burst_sent": BURST, "burst_received": received, "burst_lost": BURST - received,
            "commands_per_s": round(received / elapsed, 1) if elapsed > 0 else None,
        }
    finally:
        probe.close()
        out_text = ""
        try:
            # Closing stdin (communicate does) is the child's signal to stop.
            out_text, _ = child.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
    out["hearth_side"] = out_text.strip()
    return out


def match_cost(n: int, rounds: int = 300) -> dict[str, Any]:
    """hassil alone, in this process: how much of the text path is sentence matching."""
    from agent.devices import DeviceRegistry
    from skills.home.sentences import load_intents, match

    registry = DeviceRegistry(build_config(1883, "cost", n))
    intents = load_intents()
    names = [name for name, _, _ in device_names(n)]
    match(f"turn off the {names[0]}", intents, registry.slot_lists())
    samples = []
    for i in range(rounds):
        started = time.perf_counter()
        found = match(f"turn off the {names[i % n]}", intents, registry.slot_lists())
        samples.append(time.perf_counter() - started)
        assert found is not None
    return {"devices": n, **summary_ms(samples)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="bench", help=argparse.SUPPRESS)
    parser.add_argument("--devices", type=int, default=50, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.port, args.prefix, args.devices))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        broker = Broker(Path(tmp))
        # Mosquitto leaves Nagle on by default; a PUBACK followed by a command then waits for
        # the client's delayed ACK. Deployments should set this too (deploy/ mosquitto.conf).
        with broker.conf.open("a") as conf:
            conf.write("set_tcp_nodelay true\n")
        broker.start()
        try:
            runs = [measure(broker.port, n, mode) for n in SIZES for mode in ("text", "rule")]
        finally:
            broker.stop()
    costs = [match_cost(n) for n in SIZES]
    for run in runs:
        print(f"{run['devices']:>4} devices {run['mode']:<5} p50 {run['p50_ms']:.2f} ms  "
              f"p95 {run['p95_ms']:.2f} ms  p99 {run['p99_ms']:.2f} ms  "
              f"{run['commands_per_s']} cmd/s  lost {run['burst_lost'] + run['latency_lost']}")
    text50 = next(r for r in runs if r["devices"] == 50 and r["mode"] == "text")
    goals = {"p99_ms_under": GOAL_P99_MS, "commands_per_s_at_least": GOAL_RATE, "lost": 0,
             "for": "tier-none text commands, 50 devices"}
    met = (text50["p99_ms"] < GOAL_P99_MS and (text50["commands_per_s"] or 0) >= GOAL_RATE
           and text50["burst_lost"] + text50["latency_lost"] == 0)
    for cost in costs:
        print(f"hassil match alone, {cost['devices']} devices: p50 {cost['p50_ms']:.2f} ms  "
              f"p99 {cost['p99_ms']:.2f} ms")
    path = write_result("latency", {"machine": machine(), "goals": goals, "goals_met": met,
                                    "runs": runs, "hassil_match": costs,
                                    "broker": "mosquitto, set_tcp_nodelay true",
                                    "measured_at": time.strftime(
                                        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    print(f"goals met: {met}; wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
