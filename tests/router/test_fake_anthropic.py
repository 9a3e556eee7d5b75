"""The fake Claude API, exercised through the real anthropic SDK (so other tests can trust it)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import anthropic
import pytest

from tests.support.fake_anthropic import (
    FakeAnthropic,
    answer,
    error,
    malformed,
    overloaded,
    rate_limited,
    stream_error,
    tool_use,
)

KEY = "sk-ant-api03-fake-test-key"
SYSTEM = "You are hearth's test assistant. " * 40  # ~1,300 chars: a cacheable prefix


@pytest.fixture
async def client(fake_anthropic: FakeAnthropic) -> AsyncIterator[anthropic.AsyncAnthropic]:
    c = anthropic.AsyncAnthropic(api_key=KEY, base_url=fake_anthropic.url, max_retries=0,
                                 timeout=5)
    yield c
    await c.close()


def _system(ttl: str) -> list[dict[str, object]]:
    return [{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral", "ttl": ttl}}]


async def test_default_answer_and_usage_grow_with_the_prompt(
        client: anthropic.AsyncAnthropic, fake_anthropic: FakeAnthropic) -> None:
    short = await client.messages.create(model="claude-haiku-5-5", max_tokens=50,
                                         messages=[{"role": "user", "content": "hi"}])
    long = await client.messages.create(model="claude-haiku-5-5", max_tokens=50,
                                        messages=[{"role": "user", "content": "hi " * 200}])
    assert short.content[0].type == "text"
    assert "hi" in short.content[0].text
    assert short.model == "claude-haiku-5-5"
    assert long.usage.input_tokens > short.usage.input_tokens + 100
    assert short.usage.cache_read_input_tokens == 0
    assert fake_anthropic.message_bodies[0]["max_tokens"] == 50
    assert fake_anthropic.requests[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("ttl", ["5m", "1h"])
async def test_cache_written_then_read_per_ttl(
        client: anthropic.AsyncAnthropic, fake_anthropic: FakeAnthropic, ttl: str) -> None:
    kwargs = {"model": "claude-sonnet-5-5", "max_tokens": 20, "system": _system(ttl)}
    first = await client.messages.create(messages=[{"role": "user", "content": "one"}], **kwargs)
    second = await client.messages.create(messages=[{"role": "user", "content": "two"}], **kwargs)
    written = first.usage.cache_creation
    assert written is not None
    wrote = written.ephemeral_1h_input_tokens if ttl == "1h" else written.ephemeral_5m_input_tokens
    other = written.ephemeral_5m_input_tokens if ttl == "1h" else written.ephemeral_1h_input_tokens
    assert wrote > 300 and other == 0
    assert first.usage.cache_creation_input_tokens == wrote
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == wrote
    assert second.usage.cache_creation_input_tokens == 0
    # input_tokens excludes the cached part
    assert second.usage.input_tokens < 20


async def test_cache_expires_after_ttl_and_changed_prefix_misses(
        client: anthropic.AsyncAnthropic, fake_anthropic: FakeAnthropic) -> None:
    kwargs = {"model": "claude-sonnet-5-5", "max_tokens": 20,
              "messages": [{"role": "user", "content": "q"}]}
    await client.messages.create(system=_system("5m"), **kwargs)
    fake_anthropic.advance(301)
    expired = await client.messages.create(system=_system("5m"), **kwargs)
    assert expired.usage.cache_read_input_tokens == 0
    assert expired.usage.cache_creation_input_tokens > 0
    changed = [{"type": "text", "text": SYSTEM + " 2026-11-24T18:00", "cache_control":
                {"type": "ephemeral"}}]
    miss = await client.messages.create(system=changed, **kwargs)
    assert miss.usage.cache_read_input_tokens == 0


async def test_min_cacheable_tokens_silently_skips(
        client: anthropic.AsyncAnthropic, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.min_cacheable_tokens = 100_000
    r = await client.messages.create(model="claude-haiku-5-5", max_tokens=5, system=_system("5m"),
                                     messages=[{"role": "user", "content": "q"}])
    assert r.usage.cache_creation_input_tokens == 0
    assert r.usage.input_tokens > 300


async def test_streaming_text_and_usage(client: anthropic.AsyncAnthropic,
                                        fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(answer("streamed words arrive in pieces"))
    async with client.messages.stream(model="claude-haiku-5-5", max_tokens=50,
                                      system=_system("1h"),
                                      messages=[{"role": "user", "content": "go"}]) as stream:
        pieces = [t async for t in stream.text_stream]
        final = await stream.get_final_message()
    assert len(pieces) > 1
    assert "".join(pieces) == "streamed words arrive in pieces"
    assert final.usage.output_tokens > 1
    assert final.usage.cache_creation is not None
    assert final.usage.cache_creation.ephemeral_1h_input_tokens > 0


async def test_tool_use_blocks_json_and_stream(client: anthropic.AsyncAnthropic,
                                               fake_anthropic: FakeAnthropic) -> None:
    tools = [{"name": "lights", "description": "switch", "input_schema": {"type": "object"}}]
    fake_anthropic.script(answer(tool_uses=[tool_use("lights", {"on": True})]),
                          answer(tool_uses=[tool_use("lights", {"room": "kitchen", "on": False})]))
    r = await client.messages.create(model="claude-haiku-5-5", max_tokens=50, tools=tools,
                                     messages=[{"role": "user", "content": "go"}])
    assert r.stop_reason == "tool_use"
    block = r.content[0]
    assert block.type == "tool_use" and block.name == "lights" and block.input == {"on": True}
    async with client.messages.stream(model="claude-haiku-5-5", max_tokens=50, tools=tools,
                                      messages=[{"role": "user", "content": "go"}]) as stream:
        final = await stream.get_final_message()
    assert final.content[0].type == "tool_use"
    assert final.content[0].input == {"room": "kitchen", "on": False}
    assert fake_anthropic.message_bodies[0]["tools"][0]["name"] == "lights"


async def test_structured_output_default_follows_schema(client: anthropic.AsyncAnthropic) -> None:
    schema = {"type": "object", "properties": {"room": {"type": "string"},
                                               "level": {"type": "integer"},
                                               "mode": {"enum": ["a", "b"]}},
              "required": ["room"], "additionalProperties": False}
    r = await client.messages.create(
        model="claude-haiku-5-5", max_tokens=50, messages=[{"role": "user", "content": "x"}],
        output_config={"format": {"type": "json_schema", "schema": schema}})
    assert r.content[0].type == "text"
    assert json.loads(r.content[0].text) == {"room": "example", "level": 1, "mode": "a"}


@pytest.mark.parametrize(("reply", "exc", "status"), [
    (rate_limited(retry_after=7), anthropic.RateLimitError, 429),
    (overloaded(), anthropic.OverloadedError, 529),
    (error(500), anthropic.InternalServerError, 500),
    (error(400), anthropic.BadRequestError, 400),
    (error(401), anthropic.AuthenticationError, 401),
    (error(402), anthropic.PaymentRequiredError, 402),
    (error(403), anthropic.PermissionDeniedError, 403),
])
async def test_error_statuses_map_to_sdk_classes(
        client: anthropic.AsyncAnthropic, fake_anthropic: FakeAnthropic, reply: object,
        exc: type[anthropic.APIStatusError], status: int) -> None:
    fake_anthropic.script(reply)  # type: ignore[arg-type]
    with pytest.raises(exc) as info:
        await client.messages.create(model="claude-haiku-5-5", max_tokens=5,
                                     messages=[{"role": "user", "content": "x"}])
    assert info.value.status_code == status
    assert info.value.request_id and info.value.request_id.startswith("req_fake_")
    if status == 429:
        assert info.value.response.headers["retry-after"] == "7"


async def test_api_refusals_are_enforced(client: anthropic.AsyncAnthropic,
                                         fake_anthropic: FakeAnthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="temperature"):
        await client.messages.create(model="claude-sonnet-5-5", max_tokens=5, extra_body={"temperature": 0.2},
                                     messages=[{"role": "user", "content": "x"}])
    fake_anthropic.api_key = "sk-ant-api03-other"
    with pytest.raises(anthropic.AuthenticationError):
        await client.messages.create(model="claude-sonnet-5-5", max_tokens=5,
                                     messages=[{"role": "user", "content": "x"}])


async def test_malformed_body_and_timeout(client: anthropic.AsyncAnthropic,
                                          fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(malformed(), answer("late", delay=3))
    with pytest.raises(json.JSONDecodeError):  # the SDK lets this through; adapters translate it
        await client.messages.create(model="claude-haiku-5-5", max_tokens=5,
                                     messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.APITimeoutError):
        await client.messages.create(model="claude-haiku-5-5", max_tokens=5, timeout=0.3,
                                     messages=[{"role": "user", "content": "x"}])


async def test_mid_stream_error_event(client: anthropic.AsyncAnthropic,
                                      fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(stream_error(text_before="Half an ans"))
    got: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as info:  # noqa: PT012 - the stream fails mid-iteration
        async with client.messages.stream(model="claude-haiku-5-5", max_tokens=50,
                                          messages=[{"role": "user", "content": "x"}]) as stream:
            async for text in stream.text_stream:
                got.append(text)
    assert "".join(got) == "Half an ans"
    assert info.value.type == "overloaded_error"


async def test_count_tokens(client: anthropic.AsyncAnthropic) -> None:
    small = await client.messages.count_tokens(model="claude-haiku-5-5",
                                               messages=[{"role": "user", "content": "x"}])
    big = await client.messages.count_tokens(model="claude-haiku-5-5", system=SYSTEM,
                                             messages=[{"role": "user", "content": "x"}])
    assert big.input_tokens > small.input_tokens + 300


async def test_batch_finishes_with_results(client: anthropic.AsyncAnthropic,
                                           fake_anthropic: FakeAnthropic) -> None:
    params = {"model": "claude-haiku-5-5", "max_tokens": 20,
              "messages": [{"role": "user", "content": "digest"}]}
    fake_anthropic.fail_batch_request("b")
    batch = await client.messages.batches.create(requests=[
        {"custom_id": "a", "params": params}, {"custom_id": "b", "params": params}])
    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 2
    done = await client.messages.batches.retrieve(batch.id)
    assert done.processing_status == "ended"
    assert done.request_counts.succeeded == 1 and done.request_counts.errored == 1
    results = {r.custom_id: r.result async for r in await client.messages.batches.results(batch.id)}
    assert results["a"].type == "succeeded"
    assert results["a"].message.usage.service_tier == "batch"
    assert results["b"].type == "errored"


async def test_batch_late_until_finished_or_expired(client: anthropic.AsyncAnthropic,
                                                    fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls_to_finish = None
    params = {"model": "claude-haiku-5-5", "max_tokens": 20,
              "messages": [{"role": "user", "content": "digest"}]}
    batch = await client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
    for _ in range(3):
        assert (await client.messages.batches.retrieve(batch.id)).processing_status == "in_progress"
    fake_anthropic.expire_batch(batch.id)
    ended = await client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.request_counts.expired == 1
