"""A small Telegram Bot API client over httpx: the six methods the chat uses, errors mapped once.

The bot token is part of every request's path (``/bot<token>/<method>``), so any logged URL
would leak it. The token therefore never enters a URL that httpx sees: requests are built
for ``/bot/<method>`` and `_TokenTransport`, below httpx's logging and error messages,
puts the token in on the way to the socket. httpx's INFO line ("HTTP Request: POST
.../bot/getUpdates") and its exceptions then carry no secret whatever the log level.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from agent.errors import (
    TelegramConflict,
    TelegramError,
    TelegramTokenRefused,
    TelegramUnavailable,
)
from agent.logs import redact

# The shape of a token from @BotFather: the bot's numeric id, a colon, then 35 characters.
# Checked before use so that nothing else (a slash, a query) can ever be spliced into a path.
TOKEN_RE = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{20,80}$")
# sendMessage's limit, in characters after entity parsing (Bot API `MessageLimit`).
MAX_MESSAGE_CHARS = 4096
# Added to a long poll's own timeout for the read: the server holds the request that long.
_READ_SLACK_S = 10.0
_MARKER = b"/bot/"


class _TokenTransport(httpx.AsyncBaseTransport):
    """Sends ``.../bot/<method>`` as ``.../bot<token>/<method>``; nothing above sees the token."""

    def __init__(self, token: str, inner: httpx.AsyncBaseTransport) -> None:
        self._token = token.encode("ascii")
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path
        at = path.rfind(_MARKER)
        if at < 0:
            raise TelegramError("internal: a Bot API request without its /bot/ marker")
        real = path[:at] + b"/bot" + self._token + b"/" + path[at + len(_MARKER):]
        # A new request: the caller's (logged) request keeps its token-free URL.
        sent = httpx.Request(request.method, request.url.copy_with(raw_path=real),
                             headers=request.headers, stream=request.stream,
                             extensions=request.extensions)
        return await self._inner.handle_async_request(sent)

    async def aclose(self) -> None:
        await self._inner.aclose()


class BotApi:
    """The Bot API methods hearth's chat uses. ``transport`` is the test seam (httpx's own)."""

    def __init__(self, api_url: str, token: str, *, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not TOKEN_RE.fullmatch(token):
            raise TelegramTokenRefused("the bot token does not have the form @BotFather gives "
                                       "(digits, a colon, then letters)")
        self._token = token
        self._timeout = timeout
        inner = transport if transport is not None else httpx.AsyncHTTPTransport(retries=0)
        self._client = httpx.AsyncClient(base_url=f"{api_url.rstrip('/')}/bot/",
                                         transport=_TokenTransport(token, inner),
                                         timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   read_timeout: float | None = None) -> Any:
        """POST `method` with JSON `params`; its ``result``, or a TelegramError subclass."""
        timeout = httpx.Timeout(self._timeout, read=read_timeout or self._timeout)
        try:
            response = await self._client.post(method, json=params or {}, timeout=timeout)
        except httpx.TimeoutException as exc:
            raise TelegramUnavailable(f"{method}: the Bot API did not answer in time") from exc
        except httpx.HTTPError as exc:
            reason = redact(str(exc) or type(exc).__name__, [self._token])[:200]
            raise TelegramUnavailable(f"{method}: cannot reach the Bot API: {reason}") from exc
        return self._result(method, response)

    def _result(self, method: str, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise TelegramUnavailable(f"{method}: HTTP {response.status_code}, not a Bot API "
                                      "answer", status=response.status_code)
        if body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code")
        status = code if isinstance(code, int) else response.status_code
        said = redact(str(body.get("description") or ""), [self._token])[:200]
        message = f"{method}: {status} {said}".rstrip()
        if status == 429:
            params = body.get("parameters")
            wait = params.get("retry_after") if isinstance(params, dict) else None
            retry = float(wait) if isinstance(wait, int | float) and wait >= 0 else None
            raise TelegramUnavailable(message, status=status, retry_after=retry)
        if status in (401, 404):
            raise TelegramTokenRefused(message, status=status)
        if status == 409:
            raise TelegramConflict(message, status=status)
        if status >= 500:
            raise TelegramUnavailable(message, status=status)
        raise TelegramError(message, status=status)

    async def get_me(self) -> dict[str, Any]:
        """The bot's own User object (proves the token is accepted)."""
        return _mapping(await self.call("getMe"))

    async def get_updates(self, offset: int | None, timeout: int,
                          allowed_updates: tuple[str, ...]) -> list[dict[str, Any]]:
        """One long poll: the updates from `offset` on, waiting up to `timeout` seconds."""
        params: dict[str, Any] = {"timeout": timeout, "allowed_updates": list(allowed_updates)}
        if offset is not None:
            params["offset"] = offset
        result = await self.call("getUpdates", params, read_timeout=timeout + _READ_SLACK_S)
        if not isinstance(result, list):
            raise TelegramUnavailable("getUpdates: the result is not a list")
        return [u for u in result if isinstance(u, dict)]

    async def send_message(self, chat_id: int, html_text: str, *,
                           reply_markup: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send `html_text` (already escaped HTML, at most MAX_MESSAGE_CHARS) to `chat_id`."""
        params: dict[str, Any] = {"chat_id": chat_id, "text": html_text, "parse_mode": "HTML",
                                  "link_preview_options": {"is_disabled": True}}
        if reply_markup is not None:
            params["reply_markup"] = reply_markup
        return _mapping(await self.call("sendMessage", params))

    async def answer_callback_query(self, query_id: str, text: str = "") -> None:
        """Stop the tapping client's spinner, with an optional short notice (≤ 200 chars)."""
        params: dict[str, Any] = {"callback_query_id": query_id}
        if text:
            params["text"] = text[:200]
        await self.call("answerCallbackQuery", params)

    async def remove_buttons(self, chat_id: int, message_id: int) -> None:
        """Take the inline keyboard off a message (no reply_markup removes it)."""
        await self.call("editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message_id})


def _mapping(result: Any) -> dict[str, Any]:
    return result if isinstance(result, dict) else {}
