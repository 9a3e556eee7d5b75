"""The local adapter over the official `ollama` SDK (native /api/chat, never the /v1 shim).

The client always has a timeout (the SDK's default is none: a hung runner would hang
hearth) and a configurable ``keep_alive`` (cold loads cost 30-60 s on a Pi's CPU).
Structured output uses ``format=<JSON schema>``, which llama.cpp enforces by grammar.
Local calls cost nothing, but their token counts and inference time are kept for the ledger.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from agent.config.models import OllamaSection
from agent.errors import ModelError, ModelRequestRejected, ModelResponseInvalid, ModelUnavailable
from agent.ledger.types import Usage
from agent.router.backend import BackendReply, CallSpec, OnText, PendingToolCall
from agent.router.types import ModelRequest

if TYPE_CHECKING:
    import ollama

# `ollama` and `httpx` cost about 6 MB of an idle daemon's memory and are imported only at the
# first chat; the start-up probe (`models`) uses the standard library.

log = logging.getLogger(__name__)

NAME = "ollama"
_PROBE_SECONDS = 5.0


def translate(exc: BaseException, model: str) -> ModelError:  # noqa: PLR0911 - one per kind
    """Hearth's error for anything the ollama SDK or httpx raised."""
    import httpx
    import ollama

    if isinstance(exc, ollama.ResponseError):
        status = exc.status_code
        if status == 404:
            return ModelUnavailable(f"Ollama model {model!r} is not pulled (run: ollama pull "
                                    f"{model})", backend=NAME, status=404)
        if 400 <= status < 500:
            return ModelRequestRejected(f"Ollama rejected the request ({status}): "
                                        f"{str(exc.error)[:200]}", backend=NAME, status=status)
        return ModelUnavailable(f"Ollama failed: {str(exc.error)[:200]}", backend=NAME,
                                status=status if status > 0 else None)
    if isinstance(exc, ConnectionError | httpx.ConnectError):
        return ModelUnavailable("Ollama is not reachable (is the service running?)",
                                backend=NAME)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return ModelUnavailable("Ollama timed out", backend=NAME)
    if isinstance(exc, httpx.HTTPError):
        return ModelUnavailable(f"Ollama connection failed ({type(exc).__name__})", backend=NAME)
    if isinstance(exc, ValueError):
        return ModelResponseInvalid("Ollama sent a response hearth cannot read", backend=NAME)
    return ModelError(f"Ollama call failed: {type(exc).__name__}", backend=NAME)


def _usage(final: Any) -> Usage:
    total_ns = int(getattr(final, "total_duration", 0) or 0)
    raw = {k: getattr(final, k, None) for k in (
        "prompt_eval_count", "eval_count", "total_duration", "load_duration",
        "prompt_eval_duration", "eval_duration")}
    return Usage(input_tokens=int(final.prompt_eval_count or 0),
                 output_tokens=int(final.eval_count or 0),
                 inference_seconds=total_ns / 1e9,
                 raw={k: v for k, v in raw.items() if v is not None})


class OllamaBackend:
    """A local model over `ollama.AsyncClient`."""

    name = NAME

    def __init__(self, config: OllamaSection) -> None:
        self._config = config
        self._client: ollama.AsyncClient | None = None

    @property
    def client(self) -> ollama.AsyncClient:
        """The SDK client, made (and the SDK imported) at the first chat."""
        if self._client is None:
            import ollama

            self._client = ollama.AsyncClient(host=self._config.host,
                                              timeout=self._config.timeout)
        return self._client

    def conversation(self, request: ModelRequest) -> list[Any]:
        """Plain role/content messages (the system prompt is added per call)."""
        return [{"role": m.role, "content": m.content} for m in request.messages]

    def body(self, spec: CallSpec, conversation: list[Any]) -> dict[str, Any]:
        """The /api/chat body as the client sends it (it adds `stream` and empty `tools`)."""
        kwargs = self._kwargs(spec, conversation)
        return {"stream": False, **kwargs, "tools": kwargs.get("tools", [])}

    def _kwargs(self, spec: CallSpec, conversation: list[Any]) -> dict[str, Any]:
        messages = ([{"role": "system", "content": spec.system}] if spec.system else [])
        messages += conversation
        kwargs: dict[str, Any] = {
            "model": spec.model,
            "messages": messages,
            "keep_alive": self._config.keep_alive,
            "options": {"num_ctx": self._config.num_ctx, "num_predict": spec.max_tokens},
        }
        if spec.tools:
            kwargs["tools"] = [{"type": "function", "function": {
                "name": t.name, "description": t.description,
                "parameters": dict(t.input_schema)}} for t in sorted(spec.tools,
                                                                    key=lambda t: t.name)]
        if spec.output_schema is not None:
            kwargs["format"] = dict(spec.output_schema)
        if spec.thinking:
            kwargs["think"] = True
        return kwargs

    async def send(self, spec: CallSpec, conversation: list[Any],
                   on_text: OnText | None = None) -> BackendReply:
        """One /api/chat call (streamed when `on_text` is given), within `spec.timeout`."""
        kwargs = self._kwargs(spec, conversation)
        import httpx
        import ollama

        try:
            async with asyncio.timeout(spec.timeout):
                final, text, calls = await self._chat(kwargs, on_text)
        except (ollama.ResponseError, ollama.RequestError, ConnectionError, httpx.HTTPError,
                TimeoutError, ValueError) as exc:
            raise translate(exc, spec.model) from exc
        tool_calls = tuple(
            PendingToolCall(id=f"call_{n}", name=str(c.function.name),
                            arguments=dict(c.function.arguments or {}))
            for n, c in enumerate(calls))
        turn: dict[str, Any] = {"role": "assistant", "content": text}
        if calls:
            turn["tool_calls"] = [{"function": {"name": c.name, "arguments": c.arguments}}
                                  for c in tool_calls]
        return BackendReply(text=text, tool_calls=tool_calls, usage=_usage(final),
                            model_used=str(final.model or spec.model),
                            stop_reason=str(final.done_reason or ""), assistant_turn=turn)

    async def _chat(self, kwargs: dict[str, Any],
                    on_text: OnText | None) -> tuple[Any, str, list[Any]]:
        if on_text is None:
            response = await self.client.chat(**kwargs, stream=False)
            return response, response.message.content or "", list(response.message.tool_calls
                                                                  or [])
        pieces: list[str] = []
        calls: list[Any] = []
        final: Any = None
        async for part in await self.client.chat(**kwargs, stream=True):
            if part.message.content:
                pieces.append(part.message.content)
                await on_text(part.message.content)
            calls.extend(part.message.tool_calls or [])
            final = part
        if final is None:
            raise ValueError("empty stream")
        return final, "".join(pieces), calls

    def tool_turns(self, reply: BackendReply,
                   results: Sequence[tuple[PendingToolCall, str, bool]]) -> list[Any]:
        """The assistant turn, then one ``tool`` message per result."""
        return [reply.assistant_turn, *({"role": "tool", "content": output,
                                         "tool_name": call.name}
                                        for call, output, _ in results)]

    async def models(self) -> list[str]:
        """Names of the pulled models (raises hearth errors), over the standard library."""
        # A probe, not a chat: a few seconds decide whether Ollama is up.
        return await asyncio.to_thread(_pulled_models, tags_url(self._config.host),
                                       min(self._config.timeout, _PROBE_SECONDS))

    async def aclose(self) -> None:
        """Close the HTTP client, if a chat made one."""
        if self._client is not None:
            await self._client.close()  # type: ignore[no-untyped-call]  # the SDK's own method


def tags_url(host: str) -> str:
    """Ollama's model list at `host`, read as the SDK reads it (no scheme: http, port 11434)."""
    if "://" not in host:
        parts = urlsplit(f"http://{host}")
        netloc = parts.netloc if parts.port is not None else f"{parts.netloc}:11434"
        parts = parts._replace(netloc=netloc)
    else:
        parts = urlsplit(host)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/api/tags"


def _pulled_models(url: str, timeout: float) -> list[str]:
    if not url.startswith(("http://", "https://")):
        raise ModelUnavailable(f"[ollama] host must be an http(s) URL, not {url!r}", backend=NAME)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s) only
            listed = json.load(response)
    except urllib.error.HTTPError as exc:
        raise ModelUnavailable(f"Ollama failed ({exc.code})", backend=NAME,
                               status=exc.code) from exc
    except (urllib.error.URLError, ConnectionError) as exc:
        raise ModelUnavailable("Ollama is not reachable (is the service running?)",
                               backend=NAME) from exc
    except TimeoutError as exc:
        raise ModelUnavailable("Ollama timed out", backend=NAME) from exc
    except ValueError as exc:
        raise ModelResponseInvalid("Ollama sent a response hearth cannot read",
                                   backend=NAME) from exc
    try:
        return [str(m["model"]) for m in listed["models"] if m.get("model")]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelResponseInvalid("Ollama sent a model list hearth cannot read",
                                   backend=NAME) from exc
