"""A fake Claude API on loopback, speaking the real wire format, for the real `anthropic` SDK.

Use the ``fake_anthropic`` fixture (tests/support/model_fixtures.py) and point the SDK at it::

    client = anthropic.AsyncAnthropic(api_key="sk-ant-api03-test", base_url=fake_anthropic.url,
                                      max_retries=0)

Endpoints: ``POST /v1/messages`` (JSON, or SSE when the body has ``"stream": true``),
``POST /v1/messages/count_tokens``, and the Message Batches API: ``POST /v1/messages/batches``,
``GET /v1/messages/batches``, ``GET /v1/messages/batches/{id}``, ``POST .../{id}/cancel``,
``GET .../{id}/results`` (JSONL).

Scripting ``/v1/messages`` (first match wins: the queue, then the responder, then the default)::

    fake.script(answer("hi"), rate_limited(retry_after=1), overloaded(), ...)  # one per request
    fake.set_responder(lambda req: answer(json={"ok": True}) if req.json["tools"] else None)
    fake.requests            # every HttpRequest received (all endpoints), in order
    fake.message_bodies      # the parsed JSON bodies of POST /v1/messages, in order
    fake.api_key = "sk-..."  # if set, any other credential gets 401 authentication_error

Reply builders: ``answer(text=, json=, tool_uses=[tool_use(name, input)], thinking=, model=,
usage={...}, delay=)``, ``error(status, type=, message=, headers=)``, ``rate_limited(retry_after=,
retry_after_ms=)``, ``overloaded()``, ``server_error()``, ``malformed()``, ``hangup(delay=)``,
``stream_error(text_before=, error_type=)`` (an SSE ``error`` event after some text; on a
non-streaming request it is a 529).

Default answer (nothing scripted): a short text echoing the last user message, or, when the
request carries ``output_config.format``, a JSON value generated from the schema. Usage is
estimated at **4 characters per token** (ceil) of each block's JSON, so it grows with the
request. Prompt caching follows the API: the prefix up to each ``cache_control`` breakpoint
(tools -> system -> messages; a top-level ``cache_control`` marks the last block) is written
on first sight (``cache_creation.ephemeral_5m_input_tokens`` or ``ephemeral_1h_input_tokens``
per the breakpoint's ``ttl``) and read on later calls with the same bytes
(``cache_read_input_tokens``; each breakpoint looks back up to 20 blocks for a cached
prefix, so a growing conversation reads its earlier turns) until it expires
(``fake.advance(seconds)`` moves the fake's clock; a hit refreshes the TTL).
``input_tokens`` excludes cached tokens. Prefixes shorter than ``fake.min_cacheable_tokens``
(default 0) are silently not cached, as the API does.
The API's refusals are enforced: no ``max_tokens`` -> 400; ``temperature``/``top_p``/``top_k``
-> 400 (Sonnet 5 behaviour); more than 4 breakpoints -> 400.

Batches: each request is answered like a message (responder, then default) with
``service_tier: "batch"``. A batch ends after ``fake.batch_polls_to_finish`` retrieves
(default 1; None = stays in progress, i.e. late, until ``fake.finish_batch(id)``).
``fake.fail_batch_request(custom_id)`` makes one result ``errored``; ``fake.expire_batch(id)``
ends a batch with every result ``expired``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.model_fixtures import HttpReply, HttpRequest, ScriptedServer

CHARS_PER_TOKEN = 4
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
LOOKBACK_BLOCKS = 20
ERROR_TYPES = {
    400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
    403: "permission_error", 404: "not_found_error", 413: "request_too_large",
    429: "rate_limit_error", 500: "api_error", 503: "api_error", 504: "timeout_error",
    529: "overloaded_error",
}


def estimate_tokens(text: str) -> int:
    """The fake's token estimate: ceil(len / 4), at least 1 for non-empty text."""
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


# --- reply builders -----------------------------------------------------------------------


@dataclass(frozen=True)
class ToolUse:
    """A tool_use block the fake model emits."""

    name: str
    input: dict[str, Any]
    id: str = ""


@dataclass(frozen=True)
class Answer:
    """A successful message. Usage fields in ``usage`` override the computed ones."""

    text: str | None = None
    json: Any = None
    tool_uses: tuple[ToolUse, ...] = ()
    thinking: str | None = None
    model: str | None = None
    stop_reason: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Failure:
    """An HTTP error with the API's error JSON (or a raw body / a hang-up / a stream error)."""

    status: int
    type: str = ""
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    delay: float = 0.0
    hangup: bool = False
    mid_stream: bool = False
    text_before: str = ""


Reply = Answer | Failure


def answer(text: str | None = None, *, json: Any = None, tool_uses: list[ToolUse] | None = None,
           thinking: str | None = None, model: str | None = None, stop_reason: str | None = None,
           usage: dict[str, Any] | None = None, delay: float = 0.0) -> Answer:
    """A successful message (text, JSON text, and/or tool_use blocks)."""
    return Answer(text, json, tuple(tool_uses or ()), thinking, model, stop_reason,
                  dict(usage or {}), delay)


def tool_use(name: str, input: dict[str, Any], id: str = "") -> ToolUse:  # noqa: A002
    """A tool_use block for `answer(tool_uses=[...])`."""
    return ToolUse(name, input, id)


def error(status: int, *, type: str = "", message: str = "",  # noqa: A002
          headers: dict[str, str] | None = None, delay: float = 0.0) -> Failure:
    """An error response in the API's shape: {"type":"error","error":{"type","message"}}."""
    return Failure(status, type or ERROR_TYPES.get(status, "api_error"),
                   message or f"fake {status} error", dict(headers or {}), delay=delay)


def rate_limited(retry_after: float | None = 1, retry_after_ms: int | None = None) -> Failure:
    """429 rate_limit_error with retry-after (seconds) and/or retry-after-ms."""
    headers = {}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(retry_after_ms)
    return error(429, message="Number of request tokens has exceeded your rate limit.",
                 headers=headers)


def overloaded() -> Failure:
    """529 overloaded_error."""
    return error(529, message="Overloaded")


def server_error(status: int = 500) -> Failure:
    """500 api_error (or another 5xx)."""
    return error(status, message="Internal server error")


def malformed(status: int = 200) -> Failure:
    """A response whose body is not JSON."""
    return Failure(status, raw=b'{"id": "msg_broken", "content": [ this is not json')


def hangup(delay: float = 0.0) -> Failure:
    """Close the connection without answering (after `delay`)."""
    return Failure(0, hangup=True, delay=delay)


def stream_error(text_before: str = "Partial ", error_type: str = "overloaded_error") -> Failure:
    """Mid-stream SSE ``error`` event after some text (a 529 on a non-streaming request)."""
    return Failure(529, error_type, "Overloaded", mid_stream=True, text_before=text_before)


# --- request inspection helpers -----------------------------------------------------------


def system_text(body: dict[str, Any]) -> str:
    """The request's system prompt as one string."""
    system = body.get("system") or ""
    if isinstance(system, str):
        return system
    return "".join(b.get("text", "") for b in system)


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user turn (tool results included as text)."""
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        parts = []
        for block in content or []:
            if block.get("type") == "text":
                parts.append(block.get("text", ""))
            elif block.get("type") == "tool_result":
                inner = block.get("content")
                parts.append(inner if isinstance(inner, str) else json.dumps(inner))
        return " ".join(parts)
    return ""


def sample_for_schema(schema: Any) -> Any:
    """A JSON value that satisfies a simple JSON schema (objects, arrays, enums, scalars)."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {name: sample_for_schema(sub) for name, sub in props.items()}
    if kind == "array":
        return [sample_for_schema(schema.get("items") or {"type": "string"})]
    return {"string": "example", "integer": 1, "number": 1.5, "boolean": True,
            "null": None}.get(str(kind), "example")


# --- the fake ----------------------------------------------------------------------------


@dataclass
class _Batch:
    id: str
    created_at: datetime
    results: list[dict[str, Any]]
    status: str = "in_progress"
    polls: int = 0
    ended_at: datetime | None = None
    canceled: bool = False


@dataclass(frozen=True)
class _Usage:
    input_tokens: int
    read: int
    write_5m: int
    write_1h: int


class FakeAnthropic(ScriptedServer[Reply]):
    """The fake Claude API. Start/stop it yourself or use the ``fake_anthropic`` fixture.

    ``script(*replies)`` queues replies for the next POST /v1/messages requests, one each, in
    order; ``set_responder(fn)`` answers /v1/messages with ``fn(request)`` when the queue is
    empty (None: default).
    """

    name = "fake-anthropic"
    scripted_route = "/v1/messages"

    def __init__(self) -> None:
        super().__init__()
        self._cache: dict[str, tuple[float, str]] = {}  # prefix hash -> (expires_at, ttl)
        self._clock_offset = 0.0
        self._ids = itertools.count(1)
        self.api_key: str | None = None
        self.min_cacheable_tokens = 0
        self.batches: dict[str, _Batch] = {}
        self.batch_polls_to_finish: int | None = 1
        self._failed_batch_requests: set[str] = set()
        # Billing harsher than the 4-characters-per-token default, for reservation tests:
        # "bytes" bills every UTF-8 byte of the prompt as a token (no real tokenizer makes
        # tokens shorter than a byte), and `tool_prompt_tokens` bills the hidden system
        # prompt the API adds when tools are present (documented at 346 tokens).
        self.tokenizer: str = "chars"
        self.tool_prompt_tokens = 0

    # scripting (start/stop/script/set_responder come from ScriptedServer)

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (for cache expiry)."""
        with self._lock:
            self._clock_offset += seconds

    def clear_cache(self) -> None:
        """Forget every cached prefix."""
        with self._lock:
            self._cache.clear()

    @property
    def message_bodies(self) -> list[dict[str, Any]]:
        """Parsed bodies of every POST /v1/messages request, in order."""
        return self._scripted_bodies()

    def finish_batch(self, batch_id: str | None = None) -> None:
        """End a batch (the latest one by default)."""
        batch = self.batches[batch_id] if batch_id else list(self.batches.values())[-1]
        self._end_batch(batch)

    def expire_batch(self, batch_id: str | None = None) -> None:
        """End a batch with every result expired (the 24 h limit passed)."""
        batch = self.batches[batch_id] if batch_id else list(self.batches.values())[-1]
        for result in batch.results:
            if result.pop("_params", None) is not None:
                result["result"] = {"type": "expired"}
        self._end_batch(batch)

    def fail_batch_request(self, custom_id: str) -> None:
        """Make the batch result for `custom_id` an errored one."""
        self._failed_batch_requests.add(custom_id)

    # dispatch

    def _dispatch(self, request: HttpRequest) -> HttpReply:
        request_id = f"req_fake_{next(self._ids):06d}"
        auth = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        key = auth or request.headers.get("x-api-key", "")
        if not key or (self.api_key is not None and key != self.api_key):
            return self._failure(error(401, message="invalid x-api-key"), request_id)
        route = request.route.rstrip("/")
        if request.method == "POST" and route == "/v1/messages":
            return self._messages(request, request_id)
        if request.method == "POST" and route == "/v1/messages/count_tokens":
            body = request.json if isinstance(request.json, dict) else {}
            total = self._usage(body, count_only=True).input_tokens
            return HttpReply.json_body({"input_tokens": total}, headers={"request-id": request_id})
        if route.startswith("/v1/messages/batches"):
            return self._batches(request, route, request_id)
        return self._failure(error(404, message=f"no route {request.path}"), request_id)

    def _messages(self, request: HttpRequest, request_id: str) -> HttpReply:
        body = request.json
        if not isinstance(body, dict):
            return self._failure(error(400, message="body is not JSON"), request_id)
        problem = _invalid(body)
        if problem:
            return self._failure(error(400, message=problem), request_id)
        reply = self._next_reply(request, Answer())
        stream = bool(body.get("stream"))
        if isinstance(reply, Failure) and not (reply.mid_stream and stream):
            return self._failure(reply, request_id)
        message = self._message(body, reply if isinstance(reply, Answer) else Answer(
            text=reply.text_before))
        headers = {"request-id": request_id}
        if not stream:
            return HttpReply.json_body(message, headers=headers,
                                       delay=reply.delay)
        error_event = None
        if isinstance(reply, Failure):
            error_event = {"type": "error", "error": {"type": reply.type, "message": reply.message}}
        return HttpReply(status=200, headers={**headers, "content-type": "text/event-stream"},
                         chunks=_sse(message, error_event), delay=reply.delay)

    def _failure(self, failure: Failure, request_id: str) -> HttpReply:
        if failure.hangup:
            return HttpReply(hangup=True, delay=failure.delay)
        headers = {"request-id": request_id, **failure.headers}
        if failure.raw is not None:
            return HttpReply(status=failure.status, body=failure.raw, delay=failure.delay,
                             headers={"content-type": "application/json", **headers})
        payload = {"type": "error", "error": {"type": failure.type, "message": failure.message},
                   "request_id": request_id}
        return HttpReply.json_body(payload, status=failure.status, headers=headers,
                                   delay=failure.delay)

    # message synthesis

    def _message(self, body: dict[str, Any], reply: Answer, *, batch: bool = False) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if reply.thinking:
            content.append({"type": "thinking", "thinking": reply.thinking,
                            "signature": "fake-signature"})
        text = reply.text
        if reply.json is not None:
            text = json.dumps(reply.json)
        elif text is None and not reply.tool_uses:
            fmt = (body.get("output_config") or {}).get("format")
            if fmt and fmt.get("type") == "json_schema":
                text = json.dumps(sample_for_schema(fmt.get("schema")))
            else:
                text = f"(fake claude) You said: {last_user_text(body)[:80]}"
        if text:
            content.append({"type": "text", "text": text})
        for n, use in enumerate(reply.tool_uses):
            content.append({"type": "tool_use", "id": use.id or f"toolu_fake_{next(self._ids)}_{n}",
                            "name": use.name, "input": use.input})
        usage = self._usage(body)
        out_text = "".join(json.dumps(b) if b["type"] == "tool_use" else
                           b.get("text", b.get("thinking", "")) for b in content)
        thinking_tokens = estimate_tokens(reply.thinking or "")
        usage_json: dict[str, Any] = {
            "input_tokens": usage.input_tokens,
            "output_tokens": max(1, estimate_tokens(out_text)),
            "cache_creation_input_tokens": usage.write_5m + usage.write_1h,
            "cache_read_input_tokens": usage.read,
            "cache_creation": {"ephemeral_5m_input_tokens": usage.write_5m,
                               "ephemeral_1h_input_tokens": usage.write_1h},
            "service_tier": "batch" if batch else "standard",
        }
        if thinking_tokens:
            usage_json["output_tokens_details"] = {"thinking_tokens": thinking_tokens}
        usage_json.update(reply.usage)
        stop = reply.stop_reason or ("tool_use" if reply.tool_uses else "end_turn")
        return {"id": f"msg_fake_{next(self._ids):06d}", "type": "message", "role": "assistant",
                "model": reply.model or body.get("model", ""), "content": content,
                "stop_reason": stop, "stop_sequence": None, "usage": usage_json}

    def _tokens(self, text: str) -> int:
        if self.tokenizer == "bytes":
            return len(text.encode("utf-8"))
        return estimate_tokens(text)

    def _usage(self, body: dict[str, Any], *, count_only: bool = False) -> _Usage:
        segments = _segments(body, ascii_only=self.tokenizer != "bytes")
        sizes = [self._tokens(text) for text, _ in segments]
        if body.get("tools"):
            # The hidden tool prompt comes first, with the tools, so it is part of the prefix.
            sizes[0] += self.tool_prompt_tokens
        total = sum(sizes)
        breakpoints = [i for i, (_, cc) in enumerate(segments) if cc is not None]
        if not breakpoints or count_only:
            return _Usage(total, 0, 0, 0)
        # keys[i] / cumulative[i]: the prefix through block i (model included, as caches are
        # per model) and its size in tokens.
        keys: list[str] = []
        cumulative: list[int] = []
        digest = hashlib.sha256(str(body.get("model", "")).encode())
        for text, size in zip((t for t, _ in segments), sizes, strict=True):
            digest.update(text.encode())
            keys.append(digest.copy().hexdigest())
            cumulative.append((cumulative[-1] if cumulative else 0) + size)
        now = time.monotonic() + self._clock_offset
        floor = max(self.min_cacheable_tokens, 1)
        writes = {"5m": 0, "1h": 0}
        with self._lock:
            # Like the API: each breakpoint looks back up to 20 blocks for a cached prefix.
            hit = -1
            for point in breakpoints:
                for i in range(point, max(-1, point - LOOKBACK_BLOCKS), -1):
                    entry = self._cache.get(keys[i])
                    if entry is not None and entry[0] > now:
                        hit = max(hit, i)
                        break
            read = cumulative[hit] if hit >= 0 else 0
            if hit >= 0:  # a hit refreshes the entry's TTL for free
                ttl_hit = self._cache[keys[hit]][1]
                self._cache[keys[hit]] = (now + TTL_SECONDS[ttl_hit], ttl_hit)
            previous = read
            for point in breakpoints:
                cc = segments[point][1] or {}
                ttl = "1h" if cc.get("ttl") == "1h" else "5m"
                if point > hit and cumulative[point] >= floor:
                    writes[ttl] += cumulative[point] - previous
                    previous = cumulative[point]
                    self._cache[keys[point]] = (now + TTL_SECONDS[ttl], ttl)
        fresh = total - read - writes["5m"] - writes["1h"]
        return _Usage(fresh, read, writes["5m"], writes["1h"])

    # batches

    def _batches(self, request: HttpRequest, route: str, request_id: str) -> HttpReply:  # noqa: PLR0911 - one return per route
        headers = {"request-id": request_id}
        parts = route.split("/")[4:]  # after /v1/messages/batches
        if request.method == "POST" and not parts:
            body = request.json if isinstance(request.json, dict) else {}
            return HttpReply.json_body(self._batch_json(self._create_batch(body)), headers=headers)
        if request.method == "GET" and not parts:
            data = [self._batch_json(b) for b in reversed(self.batches.values())]
            return HttpReply.json_body({"data": data, "has_more": False,
                                        "first_id": data[0]["id"] if data else None,
                                        "last_id": data[-1]["id"] if data else None},
                                       headers=headers)
        batch = self.batches.get(parts[0]) if parts else None
        if batch is None:
            return self._failure(error(404, message="batch not found"), request_id)
        if request.method == "GET" and len(parts) == 1:
            batch.polls += 1
            limit = self.batch_polls_to_finish
            if batch.status == "in_progress" and limit is not None and batch.polls >= limit:
                self._end_batch(batch)
            return HttpReply.json_body(self._batch_json(batch), headers=headers)
        if request.method == "POST" and parts[1:] == ["cancel"]:
            for result in batch.results:
                if result.pop("_params", None) is not None:
                    result["result"] = {"type": "canceled"}
            batch.canceled = True
            self._end_batch(batch)
            return HttpReply.json_body(self._batch_json(batch), headers=headers)
        if request.method == "GET" and parts[1:] == ["results"]:
            if batch.status != "ended":
                return self._failure(error(400, message="batch has not ended"), request_id)
            lines = b"".join(json.dumps(r).encode() + b"\n" for r in batch.results)
            return HttpReply(headers={**headers, "content-type": "application/binary"}, body=lines)
        return self._failure(error(404, message=f"no route {request.path}"), request_id)

    def _create_batch(self, body: dict[str, Any]) -> _Batch:
        batch_id = f"msgbatch_fake_{next(self._ids):06d}"
        results = []
        for item in body.get("requests") or []:
            params = item.get("params") or {}
            results.append({"custom_id": item.get("custom_id"), "_params": params})
        batch = _Batch(batch_id, datetime.now(UTC), results)
        self.batches[batch_id] = batch
        return batch

    def _end_batch(self, batch: _Batch) -> None:
        for result in batch.results:
            params = result.pop("_params", None)
            if params is None:
                continue
            if result["custom_id"] in self._failed_batch_requests:
                result["result"] = {"type": "errored", "error": {
                    "type": "error", "error": {"type": "invalid_request_error",
                                               "message": "fake batch request failure"}}}
                continue
            problem = _invalid(params)
            reply = (self._responder(HttpRequest("POST", "/v1/messages", {}, b"", params))
                     if self._responder else None)
            if problem:
                result["result"] = {"type": "errored", "error": {
                    "type": "error", "error": {"type": "invalid_request_error", "message": problem}}}
            elif isinstance(reply, Failure):
                result["result"] = {"type": "errored", "error": {
                    "type": "error", "error": {"type": reply.type, "message": reply.message}}}
            else:
                result["result"] = {"type": "succeeded",
                                    "message": self._message(params, reply or Answer(), batch=True)}
        batch.status = "ended"
        batch.ended_at = datetime.now(UTC)

    def _batch_json(self, batch: _Batch) -> dict[str, Any]:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        for result in batch.results:
            if batch.status != "ended":
                counts["processing"] += 1
            else:
                counts[result["result"]["type"]] += 1
        stamp = _iso
        return {
            "id": batch.id, "type": "message_batch", "processing_status": batch.status,
            "request_counts": counts, "created_at": stamp(batch.created_at),
            "expires_at": stamp(batch.created_at + timedelta(hours=24)),
            "ended_at": stamp(batch.ended_at) if batch.ended_at else None,
            "cancel_initiated_at": stamp(batch.ended_at) if batch.canceled and batch.ended_at
            else None,
            "archived_at": None,
            "results_url": (f"{self.url}/v1/messages/batches/{batch.id}/results"
                            if batch.status == "ended" else None),
        }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _invalid(body: dict[str, Any]) -> str:
    """The 400 message the API would give for `body`, or ''."""
    for required in ("model", "max_tokens", "messages"):
        if required not in body:
            return f"{required}: Field required"
    for sampling in ("temperature", "top_p", "top_k"):
        if sampling in body:
            return f"{sampling} is not supported for this model; remove it"
    if sum(1 for _, cc in _segments(body) if cc is not None) > 4:
        return "A maximum of 4 blocks with cache_control may be provided."
    return ""


def _segments(body: dict[str, Any], *,
              ascii_only: bool = True) -> list[tuple[str, dict[str, Any] | None]]:
    """The prompt as (canonical text, cache_control) blocks, in cache order: tools, system,
    messages. ``ascii_only`` False keeps non-ASCII characters as themselves (bytes billing)."""
    out: list[tuple[str, dict[str, Any] | None]] = []

    def add(block: Any) -> None:
        if isinstance(block, dict):
            cc = block.get("cache_control")
            stripped = {k: v for k, v in block.items() if k != "cache_control"}
            out.append((json.dumps(stripped, ensure_ascii=ascii_only),
                        cc if isinstance(cc, dict) else None))
        else:
            out.append((json.dumps(block, ensure_ascii=ascii_only), None))

    for tool in body.get("tools") or []:
        add(tool)
    system = body.get("system")
    if isinstance(system, str) and system:
        add({"type": "text", "text": system})
    elif isinstance(system, list):
        for block in system:
            add(block)
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            add({"role": message.get("role"), "type": "text", "text": content})
        elif isinstance(content, list):
            for block in content:
                add(block)
    top = body.get("cache_control")
    if isinstance(top, dict) and out:
        text, _ = out[-1]
        out[-1] = (text, top)
    return out


def _sse(message: dict[str, Any], error_event: dict[str, Any] | None) -> Iterator[bytes]:
    """The message as the API's SSE event sequence (or cut short by an error event)."""

    def event(name: str, data: dict[str, Any]) -> bytes:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

    usage = dict(message["usage"])
    start = {**message, "content": [], "stop_reason": None,
             "usage": {**usage, "output_tokens": 1}}
    yield event("message_start", {"type": "message_start", "message": start})
    yield event("ping", {"type": "ping"})
    for index, block in enumerate(message["content"]):
        kind = block["type"]
        if kind == "text":
            yield event("content_block_start", {"type": "content_block_start", "index": index,
                                                "content_block": {"type": "text", "text": ""}})
            text = block["text"]
            for pos in range(0, len(text), 12):
                yield event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                    "delta": {"type": "text_delta",
                                                              "text": text[pos:pos + 12]}})
        elif kind == "thinking":
            yield event("content_block_start", {"type": "content_block_start", "index": index,
                                                "content_block": {"type": "thinking",
                                                                  "thinking": "", "signature": ""}})
            yield event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                "delta": {"type": "thinking_delta",
                                                          "thinking": block["thinking"]}})
            yield event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                "delta": {"type": "signature_delta",
                                                          "signature": block["signature"]}})
        else:
            yield event("content_block_start", {"type": "content_block_start", "index": index,
                                                "content_block": {**block, "input": {}}})
            raw = json.dumps(block["input"])
            for pos in range(0, len(raw), 16):
                yield event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                    "delta": {"type": "input_json_delta",
                                                              "partial_json": raw[pos:pos + 16]}})
        if error_event is not None:
            yield event("error", error_event)
            return
        yield event("content_block_stop", {"type": "content_block_stop", "index": index})
    if error_event is not None:
        yield event("error", error_event)
        return
    delta_usage = {k: usage[k] for k in ("input_tokens", "output_tokens",
                                         "cache_creation_input_tokens",
                                         "cache_read_input_tokens") if k in usage}
    yield event("message_delta", {"type": "message_delta",
                                  "delta": {"stop_reason": message["stop_reason"],
                                            "stop_sequence": None},
                                  "usage": delta_usage})
    yield event("message_stop", {"type": "message_stop"})
