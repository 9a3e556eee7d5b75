"""An allowlisted chat runs requests through the real dispatcher and broker; strangers get
nothing; long or non-text messages are refused politely."""

from __future__ import annotations

import logging

import pytest

from tests.channels.conftest import GROUP, ME, STRANGER, HouseFactory, texts
from tests.support.waiting import until


async def test_an_allowed_chat_switches_the_kitchen_light(house: HouseFactory) -> None:
    async with house() as h:
        h.fake.message(ME, "turn off the kitchen light")
        command = await h.peer.expect(f"{h.prefix}/dev/kitchen/set")
        assert command.payload == b"OFF"
        reply = await until(lambda: texts(h.fake, ME))
        assert "kitchen light" in reply[0].lower()
        assert h.fake.sent(ME)[0]["parse_mode"] == "HTML"
        status = h.channel.status()
        assert status["state"] == "polling" and status["bot"] == "@hearth_test_bot"
        assert status["messages"] == 1 and status["chats"] == sorted([ME, GROUP])


async def test_a_stranger_gets_nothing_and_is_logged_once(
        house: HouseFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with house() as h:
        for _ in range(3):
            h.fake.message(STRANGER, "turn off the kitchen light")
        # In the allowed group, a member who is not in allowed_users is a stranger too.
        h.fake.message(GROUP, "turn off the kitchen light", user_id=STRANGER,
                       chat_type="group")
        h.fake.message(ME, "/start")  # answered with the help line
        await until(lambda: texts(h.fake, ME))
        assert h.fake.sent(STRANGER) == [] and h.fake.sent(GROUP) == []
        assert await h.peer.nothing_on(f"{h.prefix}/dev/#", 0.2) == []
        refusals = [r for r in caplog.records if "ignoring chat" in r.getMessage()]
        assert len(refusals) == 2  # once for the stranger's chat, once in the group
        assert h.channel.status()["refused_chats"] == 2
        assert h.channel.status()["refused"] == 4


async def test_long_and_non_text_messages_are_refused_politely(house: HouseFactory) -> None:
    async with house() as h:
        h.fake.message(ME, "turn off the kitchen light " * 100)
        h.fake.raw({"message": {"message_id": 9, "date": 1, "from": {"id": ME, "is_bot": False,
                                "first_name": "Me"}, "chat": {"id": ME, "type": "private"},
                                "sticker": {"file_id": "x"}}})
        sent = await until(lambda: len(texts(h.fake, ME)) == 2 and texts(h.fake, ME))
        assert "too long" in sent[0] and "text messages only" in sent[1]
        assert await h.peer.nothing_on(f"{h.prefix}/dev/#", 0.2) == []


async def test_edits_and_channel_posts_do_nothing(house: HouseFactory) -> None:
    async with house() as h:
        edit = {"message_id": 3, "date": 1, "edit_date": 2, "text": "turn off the kitchen light",
                "from": {"id": ME, "is_bot": False, "first_name": "Me"},
                "chat": {"id": ME, "type": "private"}}
        h.fake.raw({"edited_message": edit})
        h.fake.raw({"channel_post": {**edit, "chat": {"id": ME, "type": "channel"}}})
        h.fake.message(ME, "/help")
        await until(lambda: texts(h.fake, ME))
        assert len(texts(h.fake, ME)) == 1 and "Hearth here" in texts(h.fake, ME)[0]
        assert await h.peer.nothing_on(f"{h.prefix}/dev/#", 0.2) == []
