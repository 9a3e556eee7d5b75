"""The Apprise worker process: it stands alone, it splits long text at each service's limit,
and the daemon's own modules never import Apprise."""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys

from agent.notifiers.apprise_run import WORKER, run_worker
from tests.notifiers.conftest import ServerFactory


def test_the_worker_imports_nothing_from_hearth() -> None:
    tree = ast.parse(WORKER.read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules, "the walk found the imports"
    assert not {m for m in modules if m.split(".")[0] in ("agent", "skills")}


def test_the_daemon_side_never_imports_apprise() -> None:
    code = (
        "import sys, asyncio\n"
        "from zoneinfo import ZoneInfo\n"
        "import agent.notifiers.push, agent.notifiers.push_notifier, agent.doctor.notify\n"
        "import agent.notifiers.error_notices, agent.cli.notify_cmd\n"
        "from agent.config.notify import NotifySection\n"
        "from agent.notifiers.push import PushService\n"
        "from agent.notifiers.events import Notice\n"
        "s = PushService([NotifySection(name='a', url='json://127.0.0.1:9/h')],"
        " zone=ZoneInfo('UTC'))\n"
        "s.post(Notice('timer', 't', 'b'))\n"
        "print('apprise' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_check_tells_good_urls_from_bad() -> None:
    request = {"op": "check", "urls": ["ntfys://ntfy.sh/hearth", "nosuch://x", "json://h/hook"]}
    out = subprocess.run([sys.executable, "-I", str(WORKER)], input=json.dumps(request),
                         capture_output=True, text=True, check=True, timeout=60)
    answer = json.loads(out.stdout)
    assert [r["ok"] for r in answer["results"]] == [True, False, True]
    assert answer["peak_rss_kb"] > 0


async def test_long_text_is_split_at_the_service_limit(push_server: ServerFactory) -> None:
    phone = push_server()
    body = "\n".join(f"- headline number {i:04d} with a few more words" for i in range(300))
    answer = await run_worker({"op": "notify", "url": f"ntfy://127.0.0.1:{phone.port}/t",
                               "title": "Briefing", "body": body, "format": "markdown"},
                              timeout=60)
    assert answer["ok"] is True
    got = await asyncio.to_thread(phone.wait_for, 2)
    # ntfy takes at most 7,800 characters a message: Apprise sent the text in pieces.
    assert len(body) > 7800
    assert all(len(r.body["message"]) <= 7800 for r in got)
    assert "headline number 0000" in got[0].body["message"]
    assert "headline number 0299" in phone.requests[-1].body["message"]


async def test_overflow_in_the_url_wins(push_server: ServerFactory) -> None:
    phone = push_server()
    body = "x" * 9000
    answer = await run_worker({"op": "notify", "url":
                               f"ntfy://127.0.0.1:{phone.port}/t?overflow=truncate",
                               "title": "Briefing", "body": body, "format": "text"},
                              timeout=60)
    assert answer["ok"] is True
    (got,) = await asyncio.to_thread(phone.wait_for, 1)
    assert len(phone.requests) == 1 and 0 < len(got.body["message"]) <= 7800
