"""The fake Ollama server, exercised through the real ollama SDK."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import ollama
import pytest

from tests.support.fake_ollama import (
    FakeOllama,
    answer,
    error,
    malformed,
    server_error,
    slow,
    stream_error,
    tool_call,
)

MODEL = "qwen2.5:1.5b"


@pytest.fixture
async def client(fake_ollama: FakeOllama) -> AsyncIterator[ollama.AsyncClient]:
    c = ollama.AsyncClient(host=fake_ollama.url, timeout=5)
    yield c
    await c._client.aclose()


async def test_chat_default_answer_and_usage(client: ollama.AsyncClient,
                                             fake_ollama: FakeOllama) -> None:
    short = await client.chat(MODEL, messages=[{"role": "user", "content": "hello"}],
                              keep_alive=-1, options={"num_ctx": 4096})
    long = await client.chat(MODEL, messages=[{"role": "user", "content": "hello " * 100}])
    assert "hello" in (short.message.content or "")
    assert short.done and short.prompt_eval_count and short.eval_count
    assert long.prompt_eval_count is not None and long.prompt_eval_count > short.prompt_eval_count + 100
    assert short.total_duration and short.total_duration > (short.eval_duration or 0)
    body = fake_ollama.chat_bodies[0]
    assert body["keep_alive"] == -1 and body["options"]["num_ctx"] == 4096
    assert body["stream"] is False


async def test_streaming_ndjson(client: ollama.AsyncClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.script_chat("a streamed local answer")
    parts = [p async for p in await client.chat(MODEL, stream=True,
                                                 messages=[{"role": "user", "content": "x"}])]
    assert len(parts) > 2
    assert "".join(p.message.content or "" for p in parts) == "a streamed local answer"
    assert parts[-1].done and parts[-1].eval_count


async def test_tool_calls_and_schema_format(client: ollama.AsyncClient,
                                            fake_ollama: FakeOllama) -> None:
    fake_ollama.script(answer(tool_calls=[tool_call("lights", {"on": True})]))
    r = await client.chat(MODEL, messages=[{"role": "user", "content": "x"}],
                          tools=[{"type": "function", "function": {
                              "name": "lights", "description": "d",
                              "parameters": {"type": "object", "properties": {}}}}])
    assert r.message.tool_calls and r.message.tool_calls[0].function.name == "lights"
    assert r.message.tool_calls[0].function.arguments == {"on": True}
    schema = {"type": "object", "properties": {"skill": {"enum": ["news", "home"]}}}
    r2 = await client.chat(MODEL, messages=[{"role": "user", "content": "x"}], format=schema)
    assert json.loads(r2.message.content or "") == {"skill": "news"}
    assert fake_ollama.chat_bodies[1]["format"] == schema


async def test_responder_sees_request(client: ollama.AsyncClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.set_responder(lambda req: answer(f"{len(req.json['messages'])} messages"))
    r = await client.chat(MODEL, messages=[{"role": "system", "content": "s"},
                                           {"role": "user", "content": "x"}])
    assert r.message.content == "2 messages"


async def test_missing_model_is_404(client: ollama.AsyncClient, fake_ollama: FakeOllama) -> None:
    with pytest.raises(ollama.ResponseError) as info:
        await client.chat("llama3.2:3b", messages=[{"role": "user", "content": "x"}])
    assert info.value.status_code == 404
    assert info.value.error == "model 'llama3.2:3b' not found"
    fake_ollama.models = ["llama3.2"]
    r = await client.chat("llama3.2:latest", messages=[{"role": "user", "content": "x"}])
    assert r.done


async def test_tags_version_and_show(client: ollama.AsyncClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.models = ["qwen2.5:1.5b", "qwen3:0.6b"]
    listed = await client.list()
    assert [m.model for m in listed.models] == ["qwen2.5:1.5b", "qwen3:0.6b"]
    async with httpx.AsyncClient(base_url=fake_ollama.url) as raw:
        assert (await raw.get("/api/version")).json() == {"version": "0.13.0"}
    with pytest.raises(ollama.ResponseError):
        await client.show("nope:1b")


async def test_errors_malformed_and_timeouts(client: ollama.AsyncClient,
                                             fake_ollama: FakeOllama) -> None:
    fake_ollama.script(server_error(), error(400, "invalid format"), malformed(), slow(3))
    msgs = [{"role": "user", "content": "x"}]
    with pytest.raises(ollama.ResponseError) as info:
        await client.chat(MODEL, messages=msgs)
    assert info.value.status_code == 500
    with pytest.raises(ollama.ResponseError, match="invalid format"):
        await client.chat(MODEL, messages=msgs)
    with pytest.raises(json.JSONDecodeError):
        await client.chat(MODEL, messages=msgs)
    quick = ollama.AsyncClient(host=fake_ollama.url, timeout=0.3)
    with pytest.raises(httpx.ReadTimeout):
        await quick.chat(MODEL, messages=msgs)
    await quick._client.aclose()


async def test_mid_stream_error(client: ollama.AsyncClient, fake_ollama: FakeOllama) -> None:
    fake_ollama.script(stream_error(text_before="partial text"))
    got = []
    with pytest.raises(ollama.ResponseError, match="error was encountered"):  # noqa: PT012 - the stream fails mid-iteration
        async for part in await client.chat(MODEL, stream=True,
                                            messages=[{"role": "user", "content": "x"}]):
            got.append(part.message.content)
    assert "".join(got) == "partial text"


async def test_server_down_is_connection_error(dead_url: str) -> None:
    c = ollama.AsyncClient(host=dead_url, timeout=2)
    with pytest.raises(ConnectionError):
        await c.chat(MODEL, messages=[{"role": "user", "content": "x"}])
    await c._client.aclose()
