"""A loopback HTTP server that answers like ntfy and a JSON webhook, for Apprise's requests.

Records every request (path, headers, JSON body) and answers from a script: "ok" (200 with
JSON), "fail" (500, its body carrying `fail_body`) or "hang" (no answer until the test ends).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WAIT_LIMIT = 30.0  # a failsafe for a broken test, not a speed goal


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    answer: str


class PushServer:
    """Speaks just enough ntfy (POST / with a JSON body) and JSON webhook (POST /hook)."""

    def __init__(self, script: Iterable[str] = (), *, fail_body: str = "server error") -> None:
        self.script: deque[str] = deque(script)
        self.fail_body = fail_body
        self.requests: list[Request] = []
        self.release = threading.Event()
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> PushServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int) -> list[Request]:
        """The first `count` requests, once they have arrived (AssertionError after the
        failsafe limit)."""
        with self._changed:
            ok = self._changed.wait_for(lambda: len(self.requests) >= count, WAIT_LIMIT)
        assert ok, f"expected {count} requests, got {len(self.requests)}"
        return self.requests[:count]

    def messages(self) -> list[str]:
        """The `message` of each request answered 200."""
        return [str(r.body.get("message")) for r in self.requests if r.answer == "ok"]

    def _record(self, request: Request) -> None:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"raw": raw.decode(errors="replace")}
                answer = server.script.popleft() if server.script else "ok"
                server._record(Request(self.path, dict(self.headers), body, answer))
                if answer == "hang":
                    server.release.wait()
                    return
                code, text = (200, '{"id":"x1","event":"message"}') if answer == "ok" \
                    else (500, json.dumps({"error": server.fail_body}))
                data = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        return Handler

