"""Fake model servers for tests: the loopback HTTP host, and the `fake_anthropic` / `fake_ollama` fixtures.

The remote model APIs are the only thing hearth's tests fake, and they are faked at the HTTP
layer: a real HTTP server on 127.0.0.1, in a thread of its own (so it answers even while the
test's event loop is busy), speaking the exact wire formats. The official SDKs run unmodified
against it; pass ``fake.url`` as Anthropic's ``base_url`` or Ollama's ``host``.

Fixtures (loaded for every test through ``tests/conftest.py``)::

    fake_anthropic  -> tests.support.fake_anthropic.FakeAnthropic, started, stopped after the test
    fake_ollama     -> tests.support.fake_ollama.FakeOllama, started, stopped after the test
    dead_url        -> "http://127.0.0.1:<port>" where nothing listens (connection refused)

Each fake records every request (``fake.requests``), answers from a queue of scripted replies
(``fake.script(...)``) or a responder callable (``fake.set_responder(fn)``), and otherwise
answers plausibly by itself. See each module's docstring for its API.

This module also holds `LoopbackServer`, the small threaded HTTP host both fakes run on.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.support.fake_anthropic import FakeAnthropic
    from tests.support.fake_ollama import FakeOllama


@dataclass
class HttpRequest:
    """One request as the fake received it. ``json`` is the parsed body (None if not JSON)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None

    @property
    def route(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]


@dataclass
class HttpReply:
    """What the loopback server writes back.

    ``body`` bytes are sent with a Content-Length; ``chunks`` (an iterable of bytes) are
    streamed, flushed one by one with ``chunk_delay`` between them, and the connection is
    closed at the end. ``delay`` waits before anything is sent (for client timeouts).
    ``hangup`` closes the connection without any response (a reset after sending).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: Iterable[bytes] | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    hangup: bool = False

    @classmethod
    def json_body(cls, value: Any, status: int = 200, headers: dict[str, str] | None = None,
                  delay: float = 0.0) -> HttpReply:
        """A JSON response."""
        return cls(status=status, headers={"content-type": "application/json", **(headers or {})},
                   body=json.dumps(value).encode(), delay=delay)


Handler = Callable[[HttpRequest], HttpReply]


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1:<free port>, serving ``handler`` until ``stop()``."""

    def __init__(self, handler: Handler, name: str) -> None:
        self._handler = handler
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._make_handler_class())
        # Handler threads may be parked in a scripted delay; they must not block shutdown.
        self._server.daemon_threads = True
        self._server.block_on_close = False
        # A short poll interval: shutdown() waits up to one interval, at every test's end.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        name=name, daemon=True)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, wake every delayed reply, close the socket."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if the server is stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def _make_handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return  # keep test output clean

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed: Any = None
                if body:
                    try:
                        parsed = json.loads(body)
                    except ValueError:
                        parsed = None
                request = HttpRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    json=parsed,
                )
                reply = server._handler(request)
                self.close_connection = True
                if server.wait(reply.delay):
                    return
                if reply.hangup:
                    return
                try:
                    self._write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (a timeout test); nothing to do

            def _write(self, reply: HttpReply) -> None:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("connection", "close")
                if reply.chunks is None:
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                # Streamed bodies are delimited by closing the connection (HTTP/1.1 allows it).
                self.end_headers()
                self.wfile.flush()
                for chunk in reply.chunks:
                    if server.wait(reply.chunk_delay):
                        return
                    self.wfile.write(chunk)
                    self.wfile.flush()

            do_GET = _serve  # noqa: N815
            do_POST = _serve  # noqa: N815
            do_DELETE = _serve  # noqa: N815

        return _Handler


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    """A started fake Claude API; ``.url`` is the SDK's base_url."""
    from tests.support.fake_anthropic import FakeAnthropic

    fake = FakeAnthropic()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    """A started fake Ollama server; ``.url`` is the client's host."""
    from tests.support.fake_ollama import FakeOllama

    fake = FakeOllama()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens: the SDKs get 'connection refused'."""
    return f"http://127.0.0.1:{free_port()}"
