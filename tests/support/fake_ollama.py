"""A fake Ollama server on loopback, speaking the real wire format, for the real `ollama` SDK.

Use the ``fake_ollama`` fixture (tests/support/model_fixtures.py)::

    client = ollama.AsyncClient(host=fake_ollama.url, timeout=5)

Endpoints: ``POST /api/chat`` (JSON, or NDJSON when ``stream`` is true or absent, as Ollama
defaults), ``GET /api/tags``, ``GET /api/version``, ``GET /api/ps``, ``POST /api/show``,
``GET /`` ("Ollama is running"). A chat for a model not in ``fake.models`` gets
404 ``{"error": "model 'x' not found"}`` (a name without a tag means ``:latest``).

Scripting ``/api/chat`` (first match wins: the queue, then the responder, then the default)::

    fake.models = ["qwen2.5:1.5b"]      # what is "pulled" (default: that one model)
    fake.script(answer("hi"), error(500), slow(3), ...)   # one per chat request, in order
    fake.script_chat("hi")               # shorthand for fake.script(answer("hi"))
    fake.set_responder(lambda req: answer(json={"ok": True}) if req.json.get("format") else None)
    fake.requests                        # every HttpRequest received, in order
    fake.chat_bodies                     # parsed bodies of POST /api/chat, in order
    fake.version = "0.13.0"

Reply builders: ``answer(text=, json=, tool_calls=[tool_call(name, args)], thinking=, delay=,
prompt_eval_count=, eval_count=)``, ``error(status, message)``, ``server_error()``,
``malformed()``, ``hangup(delay=)``, ``slow(seconds, then=)``, ``stream_error(text_before=,
message=)`` (an ``{"error": ...}`` line mid-stream; a 500 on a non-streaming request).

Default answer (nothing scripted): a short text echoing the last user message, or, when the
request has a JSON-schema ``format``, JSON generated from the schema (``"json"`` -> ``{}``).
Usage is estimated at **4 characters per token** (ceil) of the messages' and tools' JSON for
``prompt_eval_count`` and of the answer for ``eval_count``; durations (ns) assume 200 prompt
tokens/s and 20 output tokens/s plus 1 ms load.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests.support.fake_anthropic import estimate_tokens, sample_for_schema
from tests.support.model_fixtures import HttpReply, HttpRequest, ScriptedServer

PROMPT_TOKENS_PER_S = 200
OUTPUT_TOKENS_PER_S = 20
LOAD_NS = 1_000_000


@dataclass(frozen=True)
class ToolCall:
    """A tool call the fake model emits in ``message.tool_calls``."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """A successful chat answer; explicit counts override the estimates."""

    text: str | None = None
    json: Any = None
    tool_calls: tuple[ToolCall, ...] = ()
    thinking: str | None = None
    delay: float = 0.0
    prompt_eval_count: int | None = None
    eval_count: int | None = None


@dataclass(frozen=True)
class Failure:
    """An HTTP error ``{"error": message}``, a raw body, a hang-up or a mid-stream error."""

    status: int
    message: str = ""
    raw: bytes | None = None
    delay: float = 0.0
    hangup: bool = False
    mid_stream: bool = False
    text_before: str = ""


Reply = Answer | Failure


def answer(text: str | None = None, *, json: Any = None,
           tool_calls: list[ToolCall] | None = None, thinking: str | None = None,
           delay: float = 0.0, prompt_eval_count: int | None = None,
           eval_count: int | None = None) -> Answer:
    """A successful chat response."""
    return Answer(text, json, tuple(tool_calls or ()), thinking, delay, prompt_eval_count,
                  eval_count)


def tool_call(name: str, arguments: dict[str, Any]) -> ToolCall:
    """A tool call for `answer(tool_calls=[...])`."""
    return ToolCall(name, arguments)


def error(status: int, message: str = "", *, delay: float = 0.0) -> Failure:
    """An error response ``{"error": message}``."""
    return Failure(status, message or f"fake {status} error", delay=delay)


def server_error() -> Failure:
    """500 as Ollama sends when the runner crashes."""
    return error(500, "llama runner process has terminated: exit status 2")


def malformed() -> Failure:
    """A 200 response whose body is not JSON."""
    return Failure(200, raw=b'{"model": "x", "message": {oops')


def hangup(delay: float = 0.0) -> Failure:
    """Close the connection without answering."""
    return Failure(0, hangup=True, delay=delay)


def slow(seconds: float, then: Answer | None = None) -> Answer:
    """An answer that starts only after `seconds` (for client timeouts)."""
    base = then or Answer()
    return Answer(base.text, base.json, base.tool_calls, base.thinking, seconds,
                  base.prompt_eval_count, base.eval_count)


def stream_error(text_before: str = "Partial ", message: str = "an error was encountered "
                 "while running the model") -> Failure:
    """An ``{"error": ...}`` NDJSON line mid-stream (a 500 on a non-streaming request)."""
    return Failure(500, message, mid_stream=True, text_before=text_before)


def _full_name(model: str) -> str:
    return model if ":" in model else f"{model}:latest"


class FakeOllama(ScriptedServer[Reply]):
    """The fake Ollama server. Start/stop it yourself or use the ``fake_ollama`` fixture.

    ``script(*replies)`` queues replies for the next POST /api/chat requests, one each, in
    order; ``set_responder(fn)`` answers /api/chat with ``fn(request)`` when the queue is empty
    (None: default).
    """

    name = "fake-ollama"
    scripted_route = "/api/chat"

    def __init__(self) -> None:
        super().__init__()
        self.models: list[str] = ["qwen2.5:1.5b"]
        self.version = "0.13.0"
        self._loaded: set[str] = set()
        self._ids = itertools.count(1)

    def script_chat(self, text: str | None = None, **kwargs: Any) -> None:
        """Queue one successful answer (see `answer`)."""
        self.script(answer(text, **kwargs))

    @property
    def chat_bodies(self) -> list[dict[str, Any]]:
        """Parsed bodies of every POST /api/chat request, in order."""
        return self._scripted_bodies()

    def _pulled(self, model: str) -> bool:
        return _full_name(model) in {_full_name(m) for m in self.models}

    def _dispatch(self, request: HttpRequest) -> HttpReply:  # noqa: PLR0911 - one return per route
        route = request.route.rstrip("/") or "/"
        if request.method == "GET" and route == "/":
            return HttpReply(headers={"content-type": "text/plain"}, body=b"Ollama is running")
        if request.method == "GET" and route == "/api/version":
            return HttpReply.json_body({"version": self.version})
        if request.method == "GET" and route == "/api/tags":
            return HttpReply.json_body({"models": [self._model_json(m) for m in self.models]})
        if request.method == "GET" and route == "/api/ps":
            loaded = [m for m in self.models if _full_name(m) in self._loaded]
            return HttpReply.json_body({"models": [self._model_json(m) for m in loaded]})
        if request.method == "POST" and route == "/api/show":
            model = str((request.json or {}).get("model", ""))
            if not self._pulled(model):
                return HttpReply.json_body({"error": f"model '{model}' not found"}, status=404)
            return HttpReply.json_body({"capabilities": ["completion", "tools"],
                                        "details": self._model_json(model)["details"],
                                        "model_info": {}, "modified_at": _now()})
        if request.method == "POST" and route == "/api/chat":
            return self._chat(request)
        return HttpReply(status=404, headers={"content-type": "text/plain"}, body=b"404 page not found")

    def _model_json(self, model: str) -> dict[str, Any]:
        name = _full_name(model)
        return {"name": name, "model": name, "modified_at": _now(), "size": 986_061_892,
                "digest": f"{abs(hash(name)):064x}"[:64],
                "details": {"parent_model": "", "format": "gguf", "family": "qwen2",
                            "families": ["qwen2"], "parameter_size": "1.5B",
                            "quantization_level": "Q4_K_M"}}

    def _chat(self, request: HttpRequest) -> HttpReply:  # noqa: PLR0911 - one return per outcome
        body = request.json
        if not isinstance(body, dict):
            return HttpReply.json_body({"error": "invalid request body"}, status=400)
        model = str(body.get("model", ""))
        if not model:
            return HttpReply.json_body({"error": "model is required"}, status=400)
        if not self._pulled(model):
            return HttpReply.json_body({"error": f"model '{model}' not found"}, status=404)
        reply = self._next_reply(request, Answer())
        stream = bool(body.get("stream", True))
        if isinstance(reply, Failure) and not (reply.mid_stream and stream):
            if reply.hangup:
                return HttpReply(hangup=True, delay=reply.delay)
            if reply.raw is not None:
                return HttpReply(status=reply.status, body=reply.raw, delay=reply.delay,
                                 headers={"content-type": "application/json"})
            return HttpReply.json_body({"error": reply.message}, status=reply.status,
                                       delay=reply.delay)
        self._loaded.add(_full_name(model))
        final = self._final(body, reply if isinstance(reply, Answer) else Answer(reply.text_before))
        if not stream:
            return HttpReply.json_body(final, delay=reply.delay)
        failure = reply.message if isinstance(reply, Failure) else None
        return HttpReply(headers={"content-type": "application/x-ndjson"},
                         chunks=_ndjson(final, failure), delay=reply.delay)

    def _final(self, body: dict[str, Any], reply: Answer) -> dict[str, Any]:
        text = reply.text
        if reply.json is not None:
            text = json.dumps(reply.json)
        elif text is None and not reply.tool_calls:
            fmt = body.get("format")
            if isinstance(fmt, dict):
                text = json.dumps(sample_for_schema(fmt))
            elif fmt == "json":
                text = "{}"
            else:
                text = f"(fake ollama) You said: {_last_user(body)[:80]}"
        message: dict[str, Any] = {"role": "assistant", "content": text or ""}
        if reply.thinking:
            message["thinking"] = reply.thinking
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": f"call_fake_{next(self._ids)}",
                 "function": {"index": n, "name": c.name, "arguments": c.arguments}}
                for n, c in enumerate(reply.tool_calls)]
        prompt = json.dumps(body.get("messages") or []) + json.dumps(body.get("tools") or [])
        prompt_tokens = (reply.prompt_eval_count if reply.prompt_eval_count is not None
                         else estimate_tokens(prompt))
        output = (message["content"] + (reply.thinking or "")
                  + json.dumps(message.get("tool_calls") or ""))
        eval_tokens = (reply.eval_count if reply.eval_count is not None
                       else max(1, estimate_tokens(output)))
        prompt_ns = prompt_tokens * 1_000_000_000 // PROMPT_TOKENS_PER_S
        eval_ns = eval_tokens * 1_000_000_000 // OUTPUT_TOKENS_PER_S
        return {"model": body["model"], "created_at": _now(), "message": message, "done": True,
                "done_reason": "stop", "total_duration": LOAD_NS + prompt_ns + eval_ns,
                "load_duration": LOAD_NS, "prompt_eval_count": prompt_tokens,
                "prompt_eval_duration": prompt_ns, "eval_count": eval_tokens,
                "eval_duration": eval_ns}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _last_user(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") in ("user", "tool"):
            return str(message.get("content") or "")
    return ""


def _ndjson(final: dict[str, Any], failure: str | None) -> Iterator[bytes]:
    """The answer as Ollama's NDJSON stream: content pieces, then the final counts."""
    message = final["message"]
    text = message["content"]
    for pos in range(0, len(text), 10):
        piece = {"model": final["model"], "created_at": final["created_at"],
                 "message": {"role": "assistant", "content": text[pos:pos + 10]}, "done": False}
        yield json.dumps(piece).encode() + b"\n"
    if failure is not None:
        yield json.dumps({"error": failure}).encode() + b"\n"
        return
    last = {**final, "message": {**message, "content": ""}}
    yield json.dumps(last).encode() + b"\n"
