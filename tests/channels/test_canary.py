"""The bot token (in every request's URL path) appears in no log line at any level, no
status and no doctor output: not ours, not httpx's, not in an error."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from agent.config import HearthConfig
from agent.doctor.result import DoctorContext
from agent.doctor.telegram import check_telegram
from tests.channels.conftest import ME, TOKEN, HouseFactory, texts
from tests.support.waiting import until


async def test_the_token_is_never_printed(house: HouseFactory,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "agent"):
        caplog.set_level(logging.DEBUG, logger=name)
    outputs: list[str] = []
    async with house() as h:
        h.fake.message(ME, "turn off the kitchen light")
        await until(lambda: texts(h.fake, ME))
        h.fake.fail("getUpdates", 401, f"Unauthorized bot{TOKEN}")  # even if Telegram echoes it
        h.fake.fail("sendMessage", 400, "Bad Request: chat not found")
        h.fake.message(ME, "/help")
        await until(lambda: len(h.fake.calls_of("sendMessage")) >= 2)
        h.fake.stop()
        await until(lambda: h.channel.status()["state"] == "offline")
        outputs.append(json.dumps(h.channel.status()))
        h.fake.start()
        cfg = h.core.config
        for env in ({"HEARTH_TELEGRAM_TOKEN": TOKEN}, {"HEARTH_TELEGRAM_TOKEN": TOKEN[:-3]}):
            result = await check_telegram(DoctorContext(cfg, None, env))
            outputs.append(f"{result.detail} {result.fix}")
        outputs.append(json.dumps(h.channel.status()))
    # The canary is live: httpx did log its request lines, and the fake saw the token.
    assert "HTTP Request: POST" in caplog.text
    assert all(TOKEN in c.path for c in h.fake.calls)
    for text in (caplog.text, *outputs):
        assert TOKEN not in text
        assert TOKEN.split(":")[1] not in text


def test_a_malformed_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    from agent.channels.telegram import TelegramChannel

    cfg = HearthConfig.model_validate({"telegram": {"enabled": True, "allowed_chats": [1]}})
    bad = "not a token/../" + TOKEN
    channel = TelegramChannel(cfg.telegram, token=bad, dispatcher=None,  # type: ignore[arg-type]
                              home=None, state_dir=tmp_path)  # type: ignore[arg-type]
    status = channel.status()
    assert status["state"] == "token_refused" and TOKEN not in json.dumps(status)
