"""A fake Telegram Bot API on loopback, speaking the real wire format (Bot API 10.0 shapes).

Paths are ``/bot<token>/<method>``; a request with another token gets 401 ``Unauthorized``
like Telegram. Methods: ``getMe``, ``getUpdates`` (offset confirms, long poll up to its
``timeout``), ``sendMessage``, ``answerCallbackQuery``, ``editMessageReplyMarkup``.

    fake = FakeTelegram(TOKEN); fake.start()         # fake.url is telegram.api_url
    fake.message(chat_id, "text", user_id=..., chat_type="private")   # queue an update
    fake.tap(chat_id, user_id, data, message_id)     # queue a callback_query update
    fake.fail("getUpdates", 429, "Too Many Requests: retry after 7", retry_after=7)
    fake.redeliver(update_id)                        # hand a confirmed update over again
    fake.stop(); fake.start()                        # network loss and back, same port
    fake.calls                                       # every (method, params), in order
    fake.sent(chat_id)                               # sendMessage params to that chat
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Hearth", "username": "hearth_test_bot"}
# Long polls are cut to this in the fake, so a test never waits long for an empty queue.
MAX_POLL_S = 1.0


@dataclass(frozen=True)
class Call:
    """One request the fake answered (or refused)."""

    method: str
    params: dict[str, Any]
    path: str


class FakeTelegram:
    """The Bot API's wire behaviour for one bot token."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._updates: deque[dict[str, Any]] = deque()
        self._all: dict[int, dict[str, Any]] = {}
        self._failures: dict[str, deque[tuple[int, str, int | None]]] = {}
        self._ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.url = ""

    # -- life ------------------------------------------------------------------------

    def start(self) -> None:
        """Serve (again, on the same port after a stop)."""
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self.port = int(server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,),
                                        name="fake-telegram", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket and wake every long poll: a network outage."""
        server, self._server = self._server, None
        with self._cond:
            self._cond.notify_all()
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- scripting -------------------------------------------------------------------

    def message(self, chat_id: int, text: str, *, user_id: int | None = None,
                chat_type: str = "private") -> int:
        """Queue a text message from `user_id` (default: the private chat's own person)."""
        user = user_id if user_id is not None else chat_id
        return self._push({"message": {
            "message_id": next(self._message_ids), "date": int(time.time()), "text": text,
            "from": {"id": user, "is_bot": False, "first_name": f"U{user}"},
            "chat": _chat(chat_id, chat_type)}})

    def tap(self, chat_id: int, user_id: int, data: str, message_id: int, *,
            chat_type: str = "private") -> int:
        """Queue a button tap (callback_query) on the bot's message `message_id`."""
        return self._push({"callback_query": {
            "id": str(next(self._ids) * 7919), "chat_instance": f"ci{chat_id}", "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"},
            "message": {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                        "chat": _chat(chat_id, chat_type), "text": "Approve?"}}})

    def raw(self, update: dict[str, Any]) -> int:
        """Queue any update body (an edited message, a channel post, ...)."""
        return self._push(dict(update))

    def redeliver(self, *update_ids: int) -> None:
        """Put confirmed updates back at the front of the queue, as if never confirmed."""
        with self._cond:
            for update_id in sorted(update_ids, reverse=True):
                self._updates.appendleft(self._all[update_id])
            self._cond.notify_all()

    def fail(self, method: str, status: int, description: str, *,
             retry_after: int | None = None) -> None:
        """The next call of `method` gets this Bot API error."""
        with self._cond:
            self._failures.setdefault(method, deque()).append((status, description, retry_after))

    def _push(self, update: dict[str, Any]) -> int:
        with self._cond:
            update_id = next(self._ids)
            self._updates.append({"update_id": update_id, **update})
            self._all[update_id] = self._updates[-1]
            self._cond.notify_all()
        return update_id

    # -- looking -----------------------------------------------------------------------

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """The params of every call of `method`, in order."""
        with self._cond:
            return [c.params for c in self.calls if c.method == method]

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """sendMessage params to `chat_id`, in order."""
        return [p for p in self.calls_of("sendMessage") if p.get("chat_id") == chat_id]

    def buttons(self, chat_id: int) -> list[tuple[int, str, str]]:
        """(message_id, approve data, deny data) of every keyboard sent to `chat_id`."""
        out = []
        for params in self.sent(chat_id):
            rows = (params.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                out.append((params["message_id"], rows[0][0]["callback_data"],
                            rows[0][1]["callback_data"]))
        return out

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._cond:
            return len(self._updates)

    # -- serving -----------------------------------------------------------------------

    def _answer(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        _, _, rest = path.partition("/bot")
        token, _, method = rest.partition("/")
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        with self._cond:
            self.calls.append(Call(method, params, path))
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
        if failure is not None:
            status, description, retry = failure
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if retry is not None:
                body["parameters"] = {"retry_after": retry}
            return status, body
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        result: tuple[int, dict[str, Any]] = handler(params)
        return result

    def _m_getMe(self, _params: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        return 200, {"ok": True, "result": {**BOT_USER, "can_join_groups": True,
                                            "can_read_all_group_messages": False,
                                            "supports_inline_queries": False}}

    def _m_getUpdates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        offset = params.get("offset")
        deadline = time.monotonic() + min(float(params.get("timeout", 0)), MAX_POLL_S)
        with self._cond:
            if isinstance(offset, int):
                # An offset confirms (and forgets) every update below it.
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
            while not self._updates and self._server is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch = list(itertools.islice(self._updates, int(params.get("limit", 100))))
        return 200, {"ok": True, "result": batch}

    def _m_sendMessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 4096:
            return 400, _bad("Bad Request: message text is empty or too long")
        if params.get("parse_mode") == "HTML" and "<" in text:
            return 400, _bad("Bad Request: can't parse entities: unsupported start tag")
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if not 1 <= len(button.get("callback_data", "").encode()) <= 64:
                    return 400, _bad("Bad Request: BUTTON_DATA_INVALID")
        message_id = next(self._message_ids)
        params["message_id"] = message_id  # recorded for the test, not part of the request
        return 200, {"ok": True, "result": {
            "message_id": message_id, "from": BOT_USER, "date": int(time.time()),
            "chat": _chat(params["chat_id"], "private"), "text": text}}

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        if not isinstance(params.get("callback_query_id"), str):
            return 400, _bad("Bad Request: query is too old and response timeout expired")
        return 200, {"ok": True, "result": True}

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: N802
        return 200, {"ok": True, "result": {
            "message_id": params.get("message_id"), "from": BOT_USER, "date": int(time.time()),
            "chat": _chat(params.get("chat_id", 0), "private"), "text": "Approve?"}}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    params = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    params = {}
                status, body = fake._answer(self.path, params if isinstance(params, dict) else {})
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    # One request per connection: after stop() no kept-alive socket can
                    # carry on serving, so an outage is an outage.
                    self.send_header("connection", "close")
                    self.close_connection = True
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client went away (a cancelled long poll)

            do_GET = do_POST  # noqa: N815

        return _Handler


def _chat(chat_id: int, chat_type: str) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = f"U{chat_id}"
    else:
        chat["title"] = f"Group {chat_id}"
    return chat


def _bad(description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": 400, "description": description}
