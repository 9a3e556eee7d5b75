"""Trigger-to-command latency and sustained commands/s over a real broker, no model.

Run: .venv/bin/python -m bench.latency        (about a minute; writes bench/results/latency.json)

A child process runs the real daemon (`hearth --config CFG run`, as systemd runs it), so the
path measured is the daemon's own: MqttBridge -> `<prefix>/ask` -> the dispatcher's intent
matcher (hassil, home-assistant-intents, the registry's slot lists) -> the home skill ->
`set_device_state` -> a Zigbee2MQTT command publish, plus the $0 tier-none ledger row.
This process plays the user and the devices: it sends "turn off the <device>" and times
until the command for that device arrives (mode `forms`: eight sentence forms in turn, see
FORMS). The rule path
(a button press toggling a light) is measured the same way, and state questions ("is the
<device> on", mode `state`) until the reply on `<prefix>/reply`. Lost = sent - received.
`match_cost` times the matcher alone with 4 intents and with every intent hearth's skills
handle (21 Home Assistant intents), to show a bigger vocabulary costs no more per request,
with and without its caches (see agent/intents/matcher.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import queue
import signal
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
MODES = ("text", "forms", "state", "rule")
# Mode `forms`: text commands in eight sentence forms in turn, so the matcher meets new forms
# and new devices together (each form's first use per kind of device runs hassil in full).
FORMS = ("turn off the {}", "switch off the {}", "turn the {} off", "{} off",
         "turn on the {}", "switch the {} on", "please turn off the {}",
         "could you switch on the {}")
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


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def daemon_config(port: int, prefix: str, n: int, state: Path, ollama: str) -> str:
    """A config for `hearth run` with `n` Zigbee2MQTT devices and one button rule each."""
    lines = [
        "[hearth]", f"state_dir = {_toml_str(str(state))}", 'log_level = "WARNING"',
        "[mqtt]", 'host = "127.0.0.1"', f"port = {port}", f"prefix = {_toml_str(prefix)}",
        "queue_size = 50000", f'client_id = "hearth-bench-{os.getpid()}-{n}"',
        "[ollama]", f"host = {_toml_str(ollama)}",
        "[anthropic]", 'api_key = { env = "HEARTH_BENCH_NO_KEY" }',
        "[discovery]", f'zigbee2mqtt_base = "{prefix}_z2m"', "homeassistant = false",
        "tasmota = false",
    ]
    for i, (name, area, kind) in enumerate(device_names(n)):
        lines += ["[[devices]]", f"name = {_toml_str(name)}", f"area = {_toml_str(area)}",
                  f'kind = "{kind}"', 'protocol = "zigbee2mqtt"',
                  f"address = {_toml_str(name.replace(' ', '_'))}",
                  "[[rules]]", f'topic = "{prefix}/button/{i}"', 'payload = "single"',
                  'action = "toggle"', f"args = {{ device = {_toml_str(name)} }}"]
    return "\n".join(lines) + "\n"


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
        self.client.subscribe(f"{prefix}/reply", qos=1)

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
    work = Path(tempfile.mkdtemp(prefix="hearth-latency-"))
    (work / "state").mkdir()
    cfg = work / "config.toml"
    # Ollama is pointed at a closed port: tier-none commands must never need it.
    cfg.write_text(daemon_config(port, prefix, n, work / "state", f"http://127.0.0.1:{port + 1}"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "HEARTH"))}
    log_file = (work / "daemon.log").open("wb")
    # The real daemon, exactly as systemd runs it: `hearth --config CFG run`.
    child = subprocess.Popen(
        [sys.executable, "-m", "agent.cli.main", "--config", str(cfg), "run"],
        stdout=log_file, stderr=subprocess.STDOUT, env=env,
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
            if mode == "forms":
                return f"{prefix}/ask", FORMS[i % len(FORMS)].format(name), expect
            if mode == "state":
                return f"{prefix}/ask", f"is the {name} on", f"{prefix}/reply"
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
        status = subprocess.run(
            [sys.executable, "-m", "agent.cli.main", "--config", str(cfg), "status", "--json"],
            capture_output=True, text=True, timeout=30, check=False, env=env)
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log_file.close()
    queues = json.loads(status.stdout).get("queues", {}) if status.returncode == 0 else {}
    out["hearth_side"] = {"exit_code": child.returncode, "queues": queues}
    return out


# The Home Assistant intents hearth's skills handle (issue 16): home, then timers/time/lists.
HOME_INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition",
                "HassGetState", "HassClimateGetTemperature", "HassClimateSetTemperature",
                "HassFanSetSpeed")
OTHER_INTENTS = ("HassStartTimer", "HassCancelTimer", "HassCancelAllTimers",
                 "HassIncreaseTimer", "HassDecreaseTimer", "HassPauseTimer",
                 "HassUnpauseTimer", "HassTimerStatus", "HassGetCurrentTime",
                 "HassGetCurrentDate", "HassNevermind", "HassShoppingListAddItem",
                 "HassShoppingListCompleteItem")


def _intent_skills(intents: tuple[str, ...]) -> Any:
    """Skills declaring exactly `intents` (handlers never run: only matching is timed)."""
    from agent.config import HearthConfig
    from agent.plugins import Reply, Skill, SkillDeclaration, discover
    from tests.support.skill_points import points

    async def noop(ctx: object, event: object) -> Reply:
        return Reply("")

    found = [Skill(SkillDeclaration(name="home", description="home", tier="none",
                                    ha_intents=intents[:len(HOME_INTENTS)]), noop)]
    if len(intents) > len(HOME_INTENTS):
        found.append(Skill(SkillDeclaration(name="others", description="others", tier="none",
                                            ha_intents=intents[len(HOME_INTENTS):]), noop))
    return discover(HearthConfig.model_validate({}), entry_points=points(*found))


def match_cost(n: int, rounds: int = 300) -> dict[str, Any]:
    """The daemon's intent matcher alone, in this process, with 4 intents and with all of
    them, for commands and state questions: repeated phrases (its exact-text cache), every
    phrase new but said before about another device (the shape memo, text cache off), and
    hassil on every request (both off: what a sentence form never heard before costs)."""
    import tomllib

    from agent.config import parse_config
    from agent.devices import DeviceRegistry
    from agent.intents import IntentMatcher

    config = parse_config(tomllib.loads(daemon_config(1883, "cost", n, Path("/tmp"), "x")))
    registry = DeviceRegistry(config)
    names = [name for name, _, _ in device_names(n)]
    out: dict[str, Any] = {"devices": n}
    sets = {"4 intents": HOME_INTENTS[:4], "all intents": HOME_INTENTS + OTHER_INTENTS}
    for set_label, intents in sets.items():
        skills = _intent_skills(intents)
        variants: dict[str, dict[str, int]] = {
            "repeated": {}, "new phrase (known shape)": {"cache_size": 0},
            "uncached": {"cache_size": 0, "shape_cache_size": 0}}
        for label, kwargs in variants.items():
            matcher = IntentMatcher(skills, slot_lists=registry.slot_lists, **kwargs)
            for phrase in ("turn off the {}", "is the {} on"):
                samples = []
                for i in range(rounds):
                    name = names[i % min(n, 20)] if not kwargs else names[(i * 7) % n]
                    started = time.perf_counter()
                    matcher.match(phrase.format(name))
                    samples.append(time.perf_counter() - started)
                kind = "command" if phrase.startswith("turn") else "state"
                out[f"{set_label}, {kind}, {label}"] = summary_ms(samples)
    # The keys the report reads (commands, all intents).
    out["repeated"] = out["all intents, command, repeated"]
    out["uncached"] = out["all intents, command, uncached"]
    out["new phrase (known shape)"] = out["all intents, command, new phrase (known shape)"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = Broker(Path(tmp))
        # Mosquitto leaves Nagle on by default; a PUBACK followed by a command then waits for
        # the client's delayed ACK. Deployments should set this too (deploy/ mosquitto.conf).
        with broker.conf.open("a") as conf:
            conf.write("set_tcp_nodelay true\n")
        broker.start()
        try:
            runs = [measure(broker.port, n, mode) for n in SIZES for mode in MODES]
        finally:
            broker.stop()
    costs = [match_cost(n) for n in SIZES]
    for run in runs:
        print(f"{run['devices']:>4} devices {run['mode']:<5} p50 {run['p50_ms']:.2f} ms  "
              f"p95 {run['p95_ms']:.2f} ms  p99 {run['p99_ms']:.2f} ms  "
              f"{run['commands_per_s']} cmd/s  lost {run['burst_lost'] + run['latency_lost']}")
    goals = {"p99_ms_under": GOAL_P99_MS, "commands_per_s_at_least": GOAL_RATE, "lost": 0,
             "for": "tier-none text commands, 50 and 300 devices"}
    texts = [r for r in runs if r["mode"] == "text"]
    met = all(r["p99_ms"] < GOAL_P99_MS and (r["commands_per_s"] or 0) >= GOAL_RATE
              and r["burst_lost"] + r["latency_lost"] == 0 for r in texts)
    for cost in costs:
        for label, figures in cost.items():
            if isinstance(figures, dict) and "," in label:
                print(f"intent matcher alone, {cost['devices']} devices, {label}: "
                      f"p50 {figures['p50_ms']:.2f} ms  p99 {figures['p99_ms']:.2f} ms")
    path = write_result("latency", {"machine": machine(), "goals": goals, "goals_met": met,
                                    "runs": runs, "intent_matcher": costs,
                                    "broker": "mosquitto, set_tcp_nodelay true",
                                    "measured_at": time.strftime(
                                        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    print(f"goals met: {met}; wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
