"""Each HTTP status and failure mode: retried or not, the right error, consistent ledger rows."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from agent.errors import (
    ModelAuthFailed,
    ModelRequestRejected,
    ModelResponseInvalid,
    ModelUnavailable,
    PaymentRequired,
)
from agent.ledger.types import Outcome
from agent.router import Message, ModelRequest, Router
from tests.router.conftest import KEY, MakeHarness
from tests.support import fake_ollama as fo
from tests.support.fake_anthropic import (
    FakeAnthropic,
    answer,
    error,
    hangup,
    malformed,
    overloaded,
    rate_limited,
    server_error,
    stream_error,
)
from tests.support.fake_ollama import FakeOllama

NO_FALLBACK = {"tiers": {"fast": {"backend": "anthropic", "model": "claude-haiku-5-5",
                                  "max_tokens": 200, "fallback": []}}}


def _req(text: str = "hello") -> ModelRequest:
    return ModelRequest(skill="test", messages=[Message("user", text)])


async def _reserved_total(h: object) -> int:
    status = await h.ledger.budget_status()  # type: ignore[attr-defined]
    return sum(s.reserved_micros for s in status)


@pytest.mark.parametrize("failure", [rate_limited(retry_after=None), overloaded(),
                                     server_error(), server_error(503)])
async def test_transient_errors_are_retried_each_with_its_own_row(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic, failure: object) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(failure, failure, answer("finally"))  # type: ignore[arg-type]
    response = await h.router.complete(_req(), "fast")
    assert response.text == "finally"
    rows = await h.rows()
    assert [r.outcome for r in rows] == [Outcome.ERROR, Outcome.ERROR, Outcome.OK]
    assert [r.cost_micros for r in rows[:2]] == [0, 0]   # refused calls are released, not billed
    assert rows[2].cost_micros > 0
    assert len(fake_anthropic.message_bodies) == 3
    assert response.ledger_id == rows[2].id
    assert set(response.extra_ledger_ids) == {rows[0].id, rows[1].id}
    assert await _reserved_total(h) == 0


async def test_retry_after_is_honoured(make_harness: MakeHarness,
                                       fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(rate_limited(retry_after=None, retry_after_ms=700), answer("ok"))
    started = time.monotonic()
    await h.router.complete(_req(), "fast")
    assert time.monotonic() - started >= 0.7


async def test_retries_stop_at_max_attempts(make_harness: MakeHarness,
                                            fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({**NO_FALLBACK, "router": {"max_attempts": 3}})
    fake_anthropic.script(*[overloaded()] * 5)
    with pytest.raises(ModelUnavailable) as info:
        await h.router.complete(_req(), "fast")
    assert info.value.status == 529
    assert len(fake_anthropic.message_bodies) == 3
    assert [r.outcome for r in await h.rows()] == [Outcome.ERROR] * 3


async def test_retry_after_beyond_deadline_gives_up_at_once(make_harness: MakeHarness,
                                                            fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({**NO_FALLBACK, "router": {"deadline": 2}})
    fake_anthropic.script(rate_limited(retry_after=60))
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as info:
        await h.router.complete(_req(), "fast")
    assert info.value.retry_after == 60
    assert time.monotonic() - started < 1.5
    assert len(fake_anthropic.message_bodies) == 1


@pytest.mark.parametrize(("status", "exc"), [(400, ModelRequestRejected),
                                             (404, ModelRequestRejected),
                                             (403, ModelAuthFailed)])
async def test_client_errors_are_not_retried_and_do_not_halt(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic, status: int,
        exc: type[Exception]) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(error(status))
    with pytest.raises(exc):
        await h.router.complete(_req(), "fast")
    assert len(fake_anthropic.message_bodies) == 1
    rows = await h.rows()
    assert len(rows) == 1 and rows[0].outcome == Outcome.ERROR and rows[0].cost_micros == 0
    assert rows[0].error_class == exc.__name__
    assert (await h.router.complete(_req(), "fast")).text  # the next call goes out normally


async def test_401_halts_paid_calls_until_restart(make_harness: MakeHarness,
                                                  fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(error(401, message="invalid x-api-key"))
    with pytest.raises(ModelAuthFailed):
        await h.router.complete(_req(), "fast")
    with pytest.raises(ModelAuthFailed, match="paid calls are stopped"):
        await h.router.complete(_req(), "fast")
    assert len(fake_anthropic.message_bodies) == 1
    assert (await h.router.health()).anthropic_halted
    # a restart (a new router on the same ledger) clears the halt
    fresh = Router(h.config, h.ledger, api_key=KEY)
    assert (await fresh.complete(_req(), "fast")).text
    await fresh.aclose()


async def test_oauth_worded_403_halts(make_harness: MakeHarness,
                                      fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(error(403, message="OAuth authentication is currently not supported."))
    with pytest.raises(ModelAuthFailed, match="OAuth"):
        await h.router.complete(_req(), "fast")
    with pytest.raises(ModelAuthFailed, match="stopped"):
        await h.router.complete(_req(), "fast")
    assert len(fake_anthropic.message_bodies) == 1


async def test_claude_code_only_400_halts_as_auth(make_harness: MakeHarness,
                                                  fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(error(400, message="This credential is only authorized for use with "
                                             "Claude Code and cannot be used for other API requests."))
    with pytest.raises(ModelAuthFailed, match="OAuth"):
        await h.router.complete(_req(), "fast")
    with pytest.raises(ModelAuthFailed, match="stopped"):
        await h.router.complete(_req(), "fast")
    assert len(fake_anthropic.message_bodies) == 1


async def test_402_halts_until_the_next_day(make_harness: MakeHarness,
                                            fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    now = [datetime.now(UTC)]
    router = Router(h.config, h.ledger, api_key=KEY, clock=lambda: now[0])
    fake_anthropic.script(error(402, message="Your credit balance is too low."))
    with pytest.raises(PaymentRequired):
        await router.complete(_req(), "fast")
    with pytest.raises(PaymentRequired, match="stopped"):
        await router.complete(_req(), "fast")
    assert len(fake_anthropic.message_bodies) == 1
    now[0] += timedelta(days=1, minutes=1)
    assert (await router.complete(_req(), "fast")).text
    await router.aclose()
    rows = await h.rows()
    assert [r.outcome for r in rows] == [Outcome.ERROR, Outcome.OK]


async def test_timeout_after_sending_counts_as_spent(make_harness: MakeHarness,
                                                     fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({**NO_FALLBACK, "anthropic": {"timeout": 0.5}})
    fake_anthropic.script(answer("too late", delay=3), answer("in time"))
    response = await h.router.complete(_req(), "fast")
    assert response.text == "in time"
    first, second = await h.rows()
    assert first.outcome == Outcome.UNKNOWN
    assert first.cost_micros > 0               # the reservation counts as spent
    assert second.outcome == Outcome.OK
    assert response.cost_micros == first.cost_micros + second.cost_micros
    assert await _reserved_total(h) == 0
    used = sum(s.used_micros for s in await h.ledger.budget_status() if s.name == "global"
               and s.period == "day")
    assert used == first.cost_micros + second.cost_micros


async def test_connection_refused_is_released(make_harness: MakeHarness, dead_url: str) -> None:
    h = await make_harness({**NO_FALLBACK, "anthropic": {"base_url": dead_url},
                            "router": {"max_attempts": 2}})
    with pytest.raises(ModelUnavailable, match="cannot reach"):
        await h.router.complete(_req(), "fast")
    rows = await h.rows()
    assert [r.outcome for r in rows] == [Outcome.ERROR, Outcome.ERROR]
    assert all(r.cost_micros == 0 for r in rows)
    assert await _reserved_total(h) == 0


async def test_hangup_after_sending_is_unknown(make_harness: MakeHarness,
                                               fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(hangup(), answer("ok"))
    await h.router.complete(_req(), "fast")
    first, _ = await h.rows()
    assert first.outcome == Outcome.UNKNOWN and first.cost_micros > 0


async def test_malformed_body_is_invalid_and_spent(make_harness: MakeHarness,
                                                   fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(malformed())
    with pytest.raises(ModelResponseInvalid):
        await h.router.complete(_req(), "fast")
    (row,) = await h.rows()
    assert row.outcome == Outcome.UNKNOWN and row.cost_micros > 0
    assert len(fake_anthropic.message_bodies) == 1


async def test_mid_stream_error_is_unknown_then_retried(make_harness: MakeHarness,
                                                        fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(stream_error(text_before="Hal"), answer("Whole answer"))
    items = [item async for item in h.router.stream(_req(), "fast")]
    final = items[-1]
    assert not isinstance(final, str) and final.text == "Whole answer"
    assert "".join(i for i in items if isinstance(i, str)).endswith("Whole answer")
    rows = await h.rows()
    assert [r.outcome for r in rows] == [Outcome.UNKNOWN, Outcome.OK]
    assert all(b.get("stream") for b in fake_anthropic.message_bodies)


async def test_secret_key_never_in_errors_or_logs(make_harness: MakeHarness,
                                                  fake_anthropic: FakeAnthropic,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(error(400, message=f"bad key {KEY.value} echoed"))
    with pytest.raises(ModelRequestRejected) as info:
        await h.router.complete(_req(), "fast")
    assert KEY.value not in str(info.value)
    assert KEY.value not in caplog.text
    assert "model call skill=test" in caplog.text  # the per-call INFO line was captured


async def test_cancelled_paid_call_counts_as_spent(make_harness: MakeHarness,
                                                   fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    fake_anthropic.script(answer("slow", delay=5))
    task = asyncio.create_task(h.router.complete(_req(), "fast"))
    while not fake_anthropic.message_bodies:
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (row,) = await h.rows()
    assert row.outcome == Outcome.UNKNOWN and row.cost_micros > 0
    assert await _reserved_total(h) == 0


async def test_slow_local_model_times_out_and_falls_back(make_harness: MakeHarness,
                                                         fake_ollama: FakeOllama,
                                                         fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"ollama": {"timeout": 0.5}})
    fake_ollama.script(fo.slow(5))
    response = await h.router.complete(_req(), "local")
    assert response.tier_used == "fast"
    local, fast = await h.rows()
    assert local.outcome == Outcome.ERROR and local.backend == "ollama"
    assert fast.outcome == Outcome.OK


async def test_health_reports_the_last_paid_calls_outcome(make_harness: MakeHarness,
                                                          fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(NO_FALLBACK)
    before = await h.router.health()
    assert (before.anthropic_last_call_at, before.anthropic_last_call_ok) == (None, None)
    fake_anthropic.script(error(400))
    with pytest.raises(ModelRequestRejected):
        await h.router.complete(_req(), "fast")
    failed = await h.router.health()
    assert failed.anthropic_last_call_ok is False and failed.anthropic_last_call_at is not None
    assert (await h.router.complete(_req(), "fast")).text
    accepted = await h.router.health()
    assert accepted.anthropic_last_call_ok is True
    assert accepted.anthropic_last_call_at is not None
    assert accepted.anthropic_last_call_at >= failed.anthropic_last_call_at
