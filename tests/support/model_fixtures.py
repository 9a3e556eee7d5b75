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

This module also holds `LoopbackServer`, the small threaded HTTP host both fakes run on, and
`ScriptedServer`, the recording/scripting plumbing both fakes share.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Generic, TypeVar

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


R = TypeVar("R")


class ScriptedServer(Generic[R]):
    """A fake on a `LoopbackServer` that records requests and answers one endpoint from a script.

    Subclasses set ``name`` (the server thread's name) and the scripted endpoint
    (``scripted_method`` + ``scripted_route``), implement ``_dispatch(request)``, and get the
    endpoint's reply from ``_next_reply(request, default)``: the next queued reply, else the
    responder's, else ``default``.
    """

    name = "fake"
    scripted_method = "POST"
    scripted_route = "/"

    def __init__(self) -> None:
        self._server = LoopbackServer(self._handle, name=self.name)
        self.url = self._server.url
        self.requests: list[HttpRequest] = []
        self._queue: deque[R] = deque()
        self._responder: Callable[[HttpRequest], R | None] | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start serving on loopback."""
        self._server.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def script(self, *replies: R) -> None:
        """Queue replies for the next requests to the scripted endpoint, one each, in order."""
        with self._lock:
            self._queue.extend(replies)

    def set_responder(self, fn: Callable[[HttpRequest], R | None] | None) -> None:
        """Answer the scripted endpoint with ``fn(request)`` when the queue is empty (None: default)."""
        self._responder = fn

    def _scripted_bodies(self) -> list[dict[str, Any]]:
        """Parsed JSON bodies of every request to the scripted endpoint, in order."""
        return [r.json for r in self.requests if r.method == self.scripted_method
                and r.route == self.scripted_route and isinstance(r.json, dict)]

    def _next_reply(self, request: HttpRequest, default: R) -> R:
        with self._lock:
            reply = self._queue.popleft() if self._queue else None
        if reply is None and self._responder is not None:
            reply = self._responder(request)
        return default if reply is None else reply

    def _handle(self, request: HttpRequest) -> HttpReply:
        with self._lock:
            self.requests.append(request)
        return self._dispatch(request)

    def _dispatch(self, request: HttpRequest) -> HttpReply:
        raise NotImplementedError


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
