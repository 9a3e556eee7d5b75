"""How small the daemon is: resident memory idle and after 10,000 commands; time to READY=1.

The daemon runs on config.example.toml; the floor (python with paho and sqlite3, nothing of
hearth) is measured beside it, so the idle figure reads as "hearth's own share".

READY is timed on a restart (the ledger exists, as on every start but the first); the first
start, which creates and migrates the ledger, is reported beside it.

With two `[[notify]]` entries configured the idle figure must not grow by Apprise's ~36 MB:
the daemon delivers through a short-lived worker process (agent/notifiers/apprise_worker.py),
whose time per delivery and peak memory are measured here too, against a loopback server.

Run: .venv/bin/python -m bench.footprint
Starts its own Mosquitto (tests/support/broker.py) and a real `hearth run` subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from agent.notifiers.apprise_run import WORKER
from bench.common import machine, rss_mb, write_result
from tests.support.broker import Broker, free_port
from tests.support.notify_socket import NotifySocket
from tests.support.push_server import PushServer

GOAL_IDLE_MB = 64.0
GOAL_READY_S = 1.0
PREFIX = "hearth"  # config.example.toml's


EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
# Measured elsewhere (issue 15): a comparable agent daemon, idle, for scale only.
NANOBOT_REFERENCE_MB = 98
FLOOR_CODE = "import paho.mqtt.client, sqlite3, time; time.sleep(30)"


def _config(state: Path, broker: Broker) -> str:
    """config.example.toml as shipped, but for where the state, broker and (dead) Ollama are.

    The queue is made big enough for the burst of commands sent below.
    """
    text = EXAMPLE.read_text(encoding="utf-8")
    swaps = {
        '# state_dir = "/var/lib/hearth"': f'state_dir = "{state}"',
        'host = "localhost"': f'host = "{broker.host}"',
        "port = 1883": f"port = {broker.port}",
        "queue_size = 1000": "queue_size = 20000",
        'host = "http://localhost:11434"': f'host = "http://127.0.0.1:{free_port()}"',
        'api_key = { env = "ANTHROPIC_API_KEY" }': 'api_key = { env = "HEARTH_BENCH_NO_KEY" }',
    }
    lines = text.splitlines()
    for old, new in swaps.items():
        hits = [i for i, line in enumerate(lines) if line == old]
        if len(hits) != 1:
            raise RuntimeError(f"config.example.toml: expected one line {old!r}, found {len(hits)}")
        lines[hits[0]] = new
    return "\n".join(lines) + "\n"


def _two_notifiers(dead_port: int) -> str:
    """Two `[[notify]]` entries (ntfy and a JSON webhook) pointing at a closed loopback port:
    configured, idle, never delivering."""
    return (f'\n[[notify]]\nname = "phone"\nurl = "ntfy://127.0.0.1:{dead_port}/hearth"\n'
            f'\n[[notify]]\nname = "hook"\nurl = "json://127.0.0.1:{dead_port}/hook"\n')


def worker_figures(deliveries: int = 5) -> dict[str, float]:
    """Median seconds per delivery (process start, Apprise import, one POST) and the
    worker's peak RSS, against a loopback ntfy server."""
    server = PushServer().start()
    times: list[float] = []
    peaks: list[int] = []
    request = json.dumps({"op": "notify", "url": f"ntfy://127.0.0.1:{server.port}/bench",
                          "title": "Morning briefing", "body": "## News\n- one\n- two",
                          "format": "markdown"})
    try:
        for _ in range(deliveries):
            started = time.monotonic()
            out = subprocess.run([sys.executable, "-I", str(WORKER)], input=request,
                                 capture_output=True, text=True, check=True, timeout=60)
            times.append(time.monotonic() - started)
            answer = json.loads(out.stdout)
            if not answer.get("ok"):
                raise RuntimeError(f"worker delivery failed: {answer.get('error')}")
            peaks.append(int(answer["peak_rss_kb"]))
    finally:
        server.stop()
    return {"notify_worker_delivery_s": round(sorted(times)[len(times) // 2], 3),
            "notify_worker_peak_rss_mb": round(max(peaks) / 1024, 1)}


def floor_rss_mb() -> float:
    """What no daemon can go below: bare python with paho and sqlite3 imported."""
    proc = subprocess.Popen([sys.executable, "-c", FLOOR_CODE], stdin=subprocess.DEVNULL)
    try:
        time.sleep(2.0)
        return rss_mb(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def _send_commands(broker: Broker, count: int, timeout: float) -> tuple[int, float]:
    """Publish `count` device requests on bench/ask; count the device commands that come out."""
    seen = 0
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{os.getpid()}")

    def on_message(_c: mqtt.Client, _u: object, _m: mqtt.MQTTMessage) -> None:
        nonlocal seen
        seen += 1

    client.on_message = on_message
    client.connect(broker.host, broker.port)
    client.subscribe("zigbee2mqtt/kitchen_light/set", qos=1)
    client.loop_start()
    time.sleep(0.3)
    started = time.monotonic()
    phrases = ("turn off the kitchen light", "turn on the kitchen light")
    for i in range(count):
        client.publish(f"{PREFIX}/ask", phrases[i % 2], qos=1).wait_for_publish(timeout=5)
    deadline = time.monotonic() + timeout
    while seen < count and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    client.loop_stop()
    client.disconnect()
    return seen, elapsed


def _start(cfg: Path, notify: NotifySocket, log_path: Path) -> tuple[subprocess.Popen[bytes], float]:
    """`hearth run` as systemd starts it; returns the process and seconds to READY=1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "HEARTH"))}
    env["NOTIFY_SOCKET"] = str(notify.path)
    started = time.monotonic()
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agent.cli.main", "--config", str(cfg), "run"],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        notify.wait_for("READY", "1", timeout=30)
    except BaseException:
        proc.kill()
        raise
    return proc, time.monotonic() - started


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=15)


def run(commands: int) -> dict[str, object]:
    """Start the daemon on a new state directory, stop it, start it again and measure that
    second life (a restart is how systemd usually starts hearth: the ledger exists)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        broker = Broker(work)
        broker.start()
        state = work / "state"
        state.mkdir()
        cfg = work / "config.toml"
        cfg.write_text(_config(state, broker))
        log = work / "daemon.log"
        notify = NotifySocket(work / "notify.sock")
        try:
            # The first start creates and migrates the ledger: reported, not the goal.
            proc, first_ready_s = _start(cfg, notify, log)
            _stop(proc)
            notify.close()
            notify = NotifySocket(work / "notify2.sock")
            proc, ready_s = _start(cfg, notify, log)
            try:
                time.sleep(2.0)  # let start-up probes and lazy work settle before measuring
                idle = rss_mb(proc.pid)
                delivered, elapsed = _send_commands(broker, commands, timeout=120)
                time.sleep(1.0)
                after = rss_mb(proc.pid)
            finally:
                _stop(proc)
            notify.close()
            # The same daemon with two notifiers configured, idle, on a fresh state directory
            # like the idle figure above (the ledger now holds the burst's 10,000 rows).
            fresh = work / "state-notify"
            cfg.write_text(_config(fresh, broker) + _two_notifiers(free_port()))
            notify = NotifySocket(work / "notify3.sock")
            proc, _ = _start(cfg, notify, log)
            _stop(proc)  # the first start creates the ledger (and imports the migrations)
            notify.close()
            notify = NotifySocket(work / "notify4.sock")
            proc, _ = _start(cfg, notify, log)
            try:
                time.sleep(2.0)
                idle_notify = rss_mb(proc.pid)
            finally:
                _stop(proc)
        finally:
            notify.close()
            broker.stop()
    return {
        "ready_s": round(ready_s, 3),
        "first_start_ready_s": round(first_ready_s, 3),
        "ready_goal_s": GOAL_READY_S,
        "idle_rss_mb": idle,
        "idle_goal_mb": GOAL_IDLE_MB,
        "floor_rss_mb": floor_rss_mb(),
        "nanobot_reference_mb": NANOBOT_REFERENCE_MB,
        "config": "config.example.toml (state_dir, broker, Ollama host, key env, queue_size changed)",
        "commands_sent": commands,
        "commands_delivered": delivered,
        "commands_seconds": round(elapsed, 2),
        "rss_after_commands_mb": after,
        "idle_rss_with_two_notifiers_mb": idle_notify,
        **worker_figures(),
    }


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=10_000)
    args = parser.parse_args()
    figures = run(args.commands)
    payload = {"machine": machine(), "command": "python -m bench.footprint", **figures}
    write_result("footprint", payload)
    print(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
