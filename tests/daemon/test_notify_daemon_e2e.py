"""Notifications inside a real `hearth run`: two `[[notify]]` entries (ntfy and a JSON
webhook, real Apprise in its worker process, loopback servers) receive a pending
confirmation (by its code, never the approving id) and an ended timer; a hung service does
not hold up the other or the daemon's commands; `hearth status --json` shows both without
their secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.control.test_approval_daemon import hearth
from tests.daemon.test_assistant_e2e import Asker
from tests.support.broker import Broker
from tests.support.daemon_config import daemon_config, topic_device
from tests.support.daemon_proc import DaemonProcess
from tests.support.push_server import PushServer

SECRET = "tk_ntfyCANARYsecret7d1f0c5e"  # ntfy access tokens start with tk_
SECRET_ENV = "HEARTH_TEST_NTFY_TOKEN"
_FULL_ID = re.compile(r"\b[a-z2-9]{5}(?:-[a-z2-9]{5}){3}\b")


def test_the_phones_hear_of_a_pending_lock_and_an_ended_timer(
        running_broker: Broker, topic_prefix: str, tmp_path: Path) -> None:
    phone, hook, hung = PushServer().start(), PushServer().start(), PushServer(["hang"]).start()
    dev = f"{topic_prefix}_dev"
    extra = topic_device("back door", "lock", f"{dev}/backdoor/set") + f"""
[[notify]]
name = "stuck"
url = "json://127.0.0.1:{hung.port}/hook"
events = ["pending", "timer"]
[[notify]]
name = "phone"
url = "ntfy://{{token}}@127.0.0.1:{phone.port}/hearth-topic"
secrets = {{ token = {{ env = "{SECRET_ENV}" }} }}
events = ["pending", "timer"]
[[notify]]
name = "hook"
url = "json://127.0.0.1:{hook.port}/hook"
events = ["timer"]
"""
    cfg = tmp_path / "config.toml"
    cfg.write_text(daemon_config(tmp_path / "state", running_broker, topic_prefix, extra=extra),
                   encoding="utf-8")
    daemon = DaemonProcess(cfg, tmp_path, extra_env={SECRET_ENV: SECRET})
    asker = Asker(running_broker, topic_prefix)
    try:
        daemon.wait_for_log("hearth is ready", 30)
        held = asker.ask(json.dumps({"text": "unlock the back door"}))
        assert "confirm" in held["text"]
        (pending,) = phone.wait_for(1)
        assert pending.body["title"] == "Approve: back door?"
        # The requester (its own response topic) holds the id; the notice only its code.
        (action,) = held["data"]["actions"]
        assert f"(code {action['pending_id'][:5]}," in pending.body["message"]
        assert action["pending_id"] not in json.dumps(pending.body)
        assert not _FULL_ID.search(json.dumps(pending.body))  # the id approves: never sent
        assert pending.headers.get("Authorization", "").startswith("Bearer ")
        # The hung service holds its own queue only: the timer reaches the other two.
        asker.ask(json.dumps({"text": "set a timer for 1 second"}))
        timer_phone = phone.wait_for(2)[1]
        (timer_hook,) = hook.wait_for(1)
        assert timer_phone.body["title"] == timer_hook.body["title"] == "Timer done"
        assert "done" in timer_hook.body["message"]
        assert len(hung.requests) == 1  # still hanging on the pending notice
        # The daemon still answers while a service hangs.
        assert "confirm" in asker.ask(json.dumps({"text": "unlock the back door"}))["text"]
        status = hearth("--config", str(cfg), "status", "--json")
        assert status.returncode == 0, status.stderr
        rows = {r["name"]: r for r in json.loads(status.stdout)["notify"]["services"]}
        assert rows["phone"]["service"] == "ntfy" and rows["phone"]["delivered"] >= 2
        assert rows["hook"]["delivered"] == 1
        assert SECRET not in status.stdout + status.stderr + daemon.log_text()
    finally:
        asker.close()
        daemon.close()
        for server in (phone, hook, hung):
            server.stop()
