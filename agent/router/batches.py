"""The Message Batches API over the official `anthropic` SDK, for work that can wait.

Batch requests cost half price (everything, cache included) and finish within 24 h, most
within an hour. The client is built on first use (importing the SDK is heavy), with an
explicit API key and base URL and the SDK's retries off; SDK errors are translated with
the router's adapter (`agent.router.anthropic_backend.translate`), once, here.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from agent.config.models import AnthropicSection
from agent.credentials import ApiKey
from agent.errors import ModelError
from agent.ledger.types import Usage

if TYPE_CHECKING:
    import anthropic

log = logging.getLogger(__name__)

ResultStatus = Literal["succeeded", "errored", "canceled", "expired", "missing"]


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """One request's result in an ended batch."""

    status: ResultStatus
    text: str = ""
    model: str = ""
    usage: Usage | None = None
    error: str = ""


class BatchClient:
    """Submit one-request batches, poll them, cancel them, read their results."""

    def __init__(self, config: AnthropicSection, api_key: ApiKey) -> None:
        self._config = config
        self._key = api_key
        self._client: anthropic.AsyncAnthropic | None = None

    def _sdk(self) -> anthropic.AsyncAnthropic:
        if self._client is None:
            import anthropic

            self._client = anthropic.AsyncAnthropic(
                api_key=self._key.value, base_url=str(self._config.base_url).rstrip("/"),
                max_retries=0, timeout=self._config.timeout)
        return self._client

    async def _call(self, what: str, coro: Any) -> Any:
        from agent.router.anthropic_backend import translate

        try:
            return await coro
        except Exception as exc:  # every SDK/HTTP failure is translated right here
            error = translate(exc, key=self._key.value)
            log.warning("batch %s failed: %s", what, error)
            raise error from exc

    async def submit(self, custom_id: str, params: Mapping[str, Any]) -> str:
        """Create a batch holding one request; returns the batch id."""
        batch = await self._call("submit", self._sdk().messages.batches.create(
            requests=[{"custom_id": custom_id, "params": cast("Any", dict(params))}]))
        return str(batch.id)

    async def ended(self, batch_id: str) -> bool:
        """Whether the batch has finished processing (results readable)."""
        batch = await self._call("poll", self._sdk().messages.batches.retrieve(batch_id))
        return bool(batch.processing_status == "ended")

    async def cancel(self, batch_id: str) -> None:
        """Ask the API to stop the batch; requests not yet processed are not billed."""
        await self._call("cancel", self._sdk().messages.batches.cancel(batch_id))

    async def result(self, batch_id: str, custom_id: str) -> BatchOutcome:
        """The result for `custom_id` in an ended batch."""
        from agent.router.anthropic_backend import usage_from

        decoder = await self._call("results", self._sdk().messages.batches.results(batch_id))
        try:
            async for entry in decoder:
                if entry.custom_id != custom_id:
                    continue
                result = entry.result
                if result.type != "succeeded":
                    detail = getattr(getattr(result, "error", None), "error", None)
                    return BatchOutcome(result.type, error=str(getattr(detail, "message", "")))
                message = result.message
                text = "".join(getattr(b, "text", "") for b in message.content
                               if getattr(b, "type", "") == "text")
                # Batch usage is priced at the batch rate whatever service_tier says.
                usage = dataclasses.replace(usage_from(message.usage, "5m"), batch=True)
                return BatchOutcome("succeeded", text, str(message.model), usage)
        except ModelError:
            raise
        except Exception as exc:
            from agent.router.anthropic_backend import translate

            raise translate(exc, key=self._key.value) from exc
        return BatchOutcome("missing", error=f"no result for {custom_id}")

    async def aclose(self) -> None:
        """Close the SDK client if one was built."""
        if self._client is not None:
            await self._client.close()
            self._client = None
