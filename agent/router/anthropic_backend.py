"""The Claude adapter over the official `anthropic` SDK (imported only when a cloud call is due).

Request shape, kept byte-stable between calls so the prompt cache hits:
``tools`` (sorted by name; the last carries ``cache_control``) -> ``system`` (one text block
with ``cache_control``) -> ``messages`` (on multi-turn work the last block carries
``cache_control`` too, so the next turn of the same conversation reads it). With the cache
lifetime "off" no block carries ``cache_control``: nothing is written, nothing read. Never a
timestamp in the prefix, never ``temperature`` (Sonnet 5 refuses it), ``max_tokens`` always.

The SDK's own retries are off (``max_retries=0``): the router retries, so that every attempt
has its own budget reservation. Foreign exceptions become hearth errors here and only here.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any

import anthropic
import httpx2

from agent.config.models import AnthropicSection
from agent.credentials import ApiKey
from agent.errors import (
    ModelAuthFailed,
    ModelError,
    ModelRequestRejected,
    ModelResponseInvalid,
    ModelUnavailable,
    PaymentRequired,
)
from agent.ledger.types import Usage
from agent.logs import redact
from agent.router.backend import BackendReply, CallSpec, OnText, PendingToolCall
from agent.router.retry import retry_after_seconds
from agent.router.types import ModelRequest

log = logging.getLogger(__name__)

NAME = "anthropic"
# Wording the API uses when a subscription (OAuth) credential is used where it may not be.
OAUTH_MARKERS = ("oauth", "only authorized for use with claude code", "claude.ai")
OAUTH_NOTE = "(a subscription/OAuth credential was refused)"
_RETRYABLE_TYPES = ("overloaded_error", "api_error", "rate_limit_error", "timeout_error")


def translate(exc: BaseException, *, key: str = "") -> ModelError:
    """Hearth's error for anything the SDK or its HTTP layer raised."""
    if isinstance(exc, anthropic.APIStatusError):
        return _status_error(exc, key)
    if isinstance(exc, anthropic.APITimeoutError):
        # A connect timeout never reached the API; any later timeout may have been billed.
        sent = not isinstance(exc.__cause__, httpx2.ConnectTimeout)
        return ModelUnavailable("Claude API timed out" + (" after sending" if sent else ""),
                                backend=NAME, billed_unknown=sent)
    if isinstance(exc, anthropic.APIConnectionError):
        sent = not isinstance(exc.__cause__, httpx2.ConnectError)
        return ModelUnavailable(f"cannot reach the Claude API ({type(exc.__cause__).__name__})",
                                backend=NAME, billed_unknown=sent)
    if isinstance(exc, httpx2.TransportError):
        # Raised while reading a stream that had already started: the request was sent.
        return ModelUnavailable(f"Claude stream broke ({type(exc).__name__})", backend=NAME,
                                billed_unknown=True)
    if isinstance(exc, anthropic.APIResponseValidationError | ValueError):
        return ModelResponseInvalid("the Claude API sent a response hearth cannot read",
                                    backend=NAME, status=200)
    return ModelError(redact(f"Claude call failed: {type(exc).__name__}", [key]), backend=NAME)


def _status_error(exc: anthropic.APIStatusError, key: str) -> ModelError:
    status = exc.status_code
    text = redact(str(exc.api_message or exc.message), [key])[:300]
    oauth = any(marker in text.lower() for marker in OAUTH_MARKERS)
    if status == 200 or (exc.type in _RETRYABLE_TYPES and status < 400):
        # An `error` event in the middle of a stream: tokens may already be billed.
        return ModelUnavailable(f"Claude stream failed: {exc.type}: {text}", backend=NAME,
                                status=status, billed_unknown=True)
    if status in (408, 409, 429) or status >= 500:
        return ModelUnavailable(f"Claude API {status} {exc.type or ''}: {text}", backend=NAME,
                                status=status,
                                retry_after=retry_after_seconds(exc.response.headers))
    if status == 402:
        return PaymentRequired(f"Claude API 402 (out of credit?): {text}", backend=NAME,
                               status=status)
    if status in (401, 403) or oauth:
        note = f" {OAUTH_NOTE}" if oauth else ""
        return ModelAuthFailed(f"Claude API {status} refused the credential: {text}{note}",
                               backend=NAME, status=status)
    return ModelRequestRejected(f"Claude API {status} rejected the request: {text}",
                                backend=NAME, status=status)


def _block_dict(block: Any) -> dict[str, Any] | None:
    """A response content block as the input shape the API accepts back."""
    kind = getattr(block, "type", "")
    if kind == "text":
        return {"type": "text", "text": block.text}
    if kind == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if kind == "thinking":
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    if kind == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    return None


def usage_from(raw: Any, fallback_ttl: str) -> Usage:
    """Hearth's Usage from the SDK's usage object (every cache field, thinking broken out)."""
    breakdown = getattr(raw, "cache_creation", None)
    created = int(getattr(raw, "cache_creation_input_tokens", 0) or 0)
    if breakdown is not None:
        w5 = int(breakdown.ephemeral_5m_input_tokens or 0)
        w1h = int(breakdown.ephemeral_1h_input_tokens or 0)
    else:
        # No TTL breakdown: attribute the write to the TTL we asked for.
        w5, w1h = (0, created) if fallback_ttl == "1h" else (created, 0)
    details = getattr(raw, "output_tokens_details", None)
    return Usage(
        input_tokens=int(raw.input_tokens or 0),
        output_tokens=int(raw.output_tokens or 0),
        cache_read_tokens=int(getattr(raw, "cache_read_input_tokens", 0) or 0),
        cache_write_5m_tokens=w5,
        cache_write_1h_tokens=w1h,
        thinking_tokens=int(details.thinking_tokens) if details is not None else None,
        batch=getattr(raw, "service_tier", None) == "batch",
        raw=raw.model_dump(mode="json", exclude_none=True),
    )


def build_params(spec: CallSpec, conversation: list[Any]) -> dict[str, Any]:
    """The keyword arguments for `messages.create`, with cache breakpoints placed (none when
    the cache lifetime is "off")."""
    cached = spec.cache_ttl != "off"
    cache = {"type": "ephemeral", "ttl": spec.cache_ttl}
    params: dict[str, Any] = {"model": spec.model, "max_tokens": spec.max_tokens}
    if spec.tools:
        tools = [{"name": t.name, "description": t.description,
                  "input_schema": dict(t.input_schema)}
                 for t in sorted(spec.tools, key=lambda t: t.name)]
        if cached:
            tools[-1]["cache_control"] = cache
        params["tools"] = tools
    if spec.system:
        params["system"] = [{"type": "text", "text": spec.system,
                             **({"cache_control": cache} if cached else {})}]
    messages = copy.deepcopy(conversation)
    if cached and len(messages) >= 2 and messages[-1]["content"]:
        messages[-1]["content"][-1]["cache_control"] = cache
    params["messages"] = messages
    output_config: dict[str, Any] = {}
    if spec.effort:
        output_config["effort"] = spec.effort
    if spec.output_schema is not None:
        output_config["format"] = {"type": "json_schema", "schema": dict(spec.output_schema)}
    if output_config:
        params["output_config"] = output_config
    if spec.thinking:
        params["thinking"] = {"type": "adaptive"}
    return params


class AnthropicBackend:
    """Claude over `anthropic.AsyncAnthropic`, built with the checked API key only."""

    name = NAME

    def __init__(self, config: AnthropicSection, api_key: ApiKey) -> None:
        self._key = api_key.value
        # The key is passed explicitly so the SDK never falls back to environment variables
        # or profile files; its own retries are off because each attempt is reserved.
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key.value, base_url=str(config.base_url).rstrip("/"), max_retries=0,
            timeout=config.timeout)

    def conversation(self, request: ModelRequest) -> list[Any]:
        """Messages as block lists, so a cache breakpoint can sit on the last block."""
        return [{"role": m.role, "content": [{"type": "text", "text": m.content}]}
                for m in request.messages]

    def body(self, spec: CallSpec, conversation: list[Any]) -> dict[str, Any]:
        """The Messages API body `send` sends."""
        return build_params(spec, conversation)

    async def send(self, spec: CallSpec, conversation: list[Any],
                   on_text: OnText | None = None) -> BackendReply:
        """One Messages API call (streamed when `on_text` is given)."""
        params = build_params(spec, conversation)
        try:
            if on_text is None:
                message = await self._client.messages.create(**params, timeout=spec.timeout)
            else:
                async with self._client.messages.stream(**params,
                                                        timeout=spec.timeout) as stream:
                    async for piece in stream.text_stream:
                        await on_text(piece)
                    message = await stream.get_final_message()
        except (anthropic.AnthropicError, httpx2.HTTPError, ValueError) as exc:
            raise translate(exc, key=self._key) from exc
        blocks = [b for b in (_block_dict(c) for c in message.content) if b is not None]
        return BackendReply(
            text="".join(b["text"] for b in blocks if b["type"] == "text"),
            tool_calls=tuple(PendingToolCall(b["id"], b["name"], dict(b["input"]))
                             for b in blocks if b["type"] == "tool_use"),
            usage=usage_from(message.usage, spec.cache_ttl),
            model_used=str(message.model),
            stop_reason=str(message.stop_reason or ""),
            assistant_turn={"role": "assistant", "content": blocks},
        )

    def tool_turns(self, reply: BackendReply,
                   results: Sequence[tuple[PendingToolCall, str, bool]]) -> list[Any]:
        """The assistant's tool_use turn, then one user turn with every tool_result."""
        return [reply.assistant_turn, {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call.id, "content": output, "is_error": failed}
            for call, output, failed in results]}]

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.close()
