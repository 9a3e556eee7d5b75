"""Approve/Deny buttons: an allowlisted tap unlocks exactly once; forged taps do nothing but
get recorded; the full action id never goes to Telegram."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.channels.conftest import ME, STRANGER, House, HouseFactory, texts
from tests.support.waiting import until

FULL_ID = re.compile(r"[a-z2-9]{5}(?:-[a-z2-9]{5}){3}")


async def _ask_to_unlock(h: House) -> tuple[int, str, str]:
    h.fake.message(ME, "unlock the back door")
    buttons = await until(lambda: h.fake.buttons(ME))
    assert len(buttons) == 1
    return buttons[0]


async def _history(h: House) -> list[tuple[str, str, str]]:
    history = h.core.home.history
    assert history is not None
    await history.flush()
    return [(r["kind"], r["path"], r["detail"]) for r in await history.recent(20)]


async def test_an_approval_tap_unlocks_exactly_once(house: HouseFactory) -> None:
    async with house() as h:
        message_id, approve, _ = await _ask_to_unlock(h)
        assert [p.id for p in h.core.home.pending.pending()]  # held, nothing sent yet
        assert await h.peer.nothing_on(f"{h.prefix}/dev/lock/set", 0.1) == []
        h.fake.tap(ME, ME, approve, message_id)
        h.fake.tap(ME, ME, approve, message_id)  # a second tap (or a replayed one)
        command = await h.peer.expect(f"{h.prefix}/dev/lock/set")
        assert command.payload == b"OFF"
        answers = await until(lambda: len(h.fake.calls_of("answerCallbackQuery")) == 2
                              and h.fake.calls_of("answerCallbackQuery"))
        assert "no longer valid" in answers[1]["text"]
        assert await h.peer.nothing_on(f"{h.prefix}/dev/lock/set", 0.3) == []
        assert h.fake.calls_of("editMessageReplyMarkup") == [
            {"chat_id": ME, "message_id": message_id}]
        assert h.core.home.pending.pending() == []
        # The history says who approved: the chat and the person in it.
        assert ("approved", "telegram", f"telegram chat {ME} user {ME}") in await _history(h)
        assert h.channel.status()["approved"] == 1
        _no_full_id_sent(h.fake.calls)


async def test_deny_cancels_the_action(house: HouseFactory) -> None:
    async with house() as h:
        message_id, _, deny = await _ask_to_unlock(h)
        h.fake.tap(ME, ME, deny, message_id)
        await until(lambda: any("Denied" in t for t in texts(h.fake, ME)))
        assert h.core.home.pending.pending() == []
        assert await h.peer.nothing_on(f"{h.prefix}/dev/lock/set", 0.2) == []
        assert ("cancelled", "telegram", f"telegram chat {ME} user {ME}") in await _history(h)


async def test_forged_taps_from_elsewhere_approve_nothing(house: HouseFactory) -> None:
    async with house() as h:
        message_id, approve, _ = await _ask_to_unlock(h)
        # The stranger replays the real button value from their own chat, and as a user in
        # ME's chat (a forged callback); then garbage data from ME.
        h.fake.tap(STRANGER, STRANGER, approve, message_id)
        h.fake.tap(ME, STRANGER, approve, message_id)
        h.fake.tap(ME, ME, "ap:" + "A" * 16, message_id)
        h.fake.tap(ME, ME, "anything at all", message_id)
        await until(lambda: len(h.fake.calls_of("answerCallbackQuery")) == 4)
        assert await h.peer.nothing_on(f"{h.prefix}/dev/lock/set", 0.2) == []
        assert h.fake.sent(STRANGER) == []
        assert len(h.core.home.pending.pending()) == 1
        history = await _history(h)
        refused = [row for row in history if row[0] == "refused"]
        assert len(refused) == 2 and all(row[1] == "telegram" for row in refused)
        assert "may not approve" in refused[0][2]
        # The household's own button still works: a forged tap does not spend it.
        h.fake.tap(ME, ME, approve, message_id)
        assert (await h.peer.expect(f"{h.prefix}/dev/lock/set")).payload == b"OFF"


async def test_a_button_is_bound_to_its_chat(house: HouseFactory) -> None:
    async with house(allowed_chats=[ME, STRANGER]) as h:
        message_id, approve, _ = await _ask_to_unlock(h)
        # STRANGER is allowed here, but the button was sent to ME.
        h.fake.tap(STRANGER, STRANGER, approve, message_id)
        answers = await until(lambda: h.fake.calls_of("answerCallbackQuery"))
        assert answers[0]["text"] == "Not valid here."
        assert await h.peer.nothing_on(f"{h.prefix}/dev/lock/set", 0.2) == []
        assert len(h.core.home.pending.pending()) == 1


async def test_approvals_all_offers_to_every_allowed_chat_and_voids_the_rest(
        house: HouseFactory) -> None:
    async with house(allowed_chats=[ME, STRANGER], approvals="all") as h:
        h.fake.message(ME, "unlock the back door")
        await until(lambda: texts(h.fake, ME))
        assert h.fake.buttons(ME) == []  # "all": buttons come from the pending hook
        (action,) = h.core.home.pending.pending()
        h.channel.offer(action)
        mine = await until(lambda: h.fake.buttons(ME))
        theirs = await until(lambda: h.fake.buttons(STRANGER))
        h.fake.tap(STRANGER, STRANGER, theirs[0][1], theirs[0][0])
        assert (await h.peer.expect(f"{h.prefix}/dev/lock/set")).payload == b"OFF"
        # Both keyboards come off; ME's button is void now.
        await until(lambda: len(h.fake.calls_of("editMessageReplyMarkup")) == 2)
        h.fake.tap(ME, ME, mine[0][1], mine[0][0])
        answers = await until(lambda: len(h.fake.calls_of("answerCallbackQuery")) == 2
                              and h.fake.calls_of("answerCallbackQuery"))
        assert "no longer valid" in answers[1]["text"]


def _no_full_id_sent(calls: list[Any]) -> None:
    for call in calls:
        assert not FULL_ID.search(json.dumps(call.params)), call
