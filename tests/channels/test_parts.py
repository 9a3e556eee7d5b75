"""The chat's small parts on their own: text splitting, button data, offers, the allowlist,
the offset file, the config rules and the doctor check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.channels.telegram.offers import Offers, keyboard, parse_data
from agent.channels.telegram.offset import KEEP_S, OffsetStore
from agent.channels.telegram.senders import Allowlist, Sender
from agent.channels.telegram.text import MAX_PARTS, html_parts
from agent.config import HearthConfig, load_config
from agent.doctor.result import DoctorContext, Status
from agent.doctor.telegram import check_telegram
from agent.errors import ConfigError
from tests.channels.conftest import TOKEN
from tests.support.broker import free_port
from tests.support.fake_telegram import FakeTelegram


def test_replies_are_escaped_and_split_below_the_limit() -> None:
    assert html_parts("Front <door> & co") == ["Front &lt;door&gt; &amp; co"]
    long = "\n".join(f"line {n} " + "x" * 80 for n in range(200))
    parts = html_parts(long)
    assert 2 <= len(parts) <= MAX_PARTS and all(len(p) <= 4096 for p in parts)
    assert parts[0].endswith("x") and parts[1].startswith("line")
    huge = html_parts("y" * 100_000)
    assert len(huge) == MAX_PARTS and huge[-1].endswith("whole answer)")


def test_button_data_is_short_and_anything_else_is_refused() -> None:
    offers = Offers()
    offer = offers.new("abcde-fghjk-mnpqr-stuvw", "abcde", 42)
    rows = keyboard(offer.nonce)["inline_keyboard"]
    assert isinstance(rows, list)
    for button in rows[0]:
        assert len(button["callback_data"].encode()) <= 64
        assert "abcde" not in button["callback_data"]
    assert parse_data(f"ap:{offer.nonce}") == ("approve", offer.nonce)
    assert parse_data(f"dn:{offer.nonce}") == ("deny", offer.nonce)
    for bad in (None, 7, "", "ap:", f"xx:{offer.nonce}", f"ap:{offer.nonce}x", "ap:abc/def"):
        assert parse_data(bad) is None


def test_an_offer_is_single_use_and_voids_its_siblings() -> None:
    offers = Offers(limit=3)
    a = offers.new("id-1", "c1", 1)
    b = offers.new("id-1", "c1", 2)
    c = offers.new("id-2", "c2", 1)
    assert [o.nonce for o in offers.take(a.nonce)] == [a.nonce, b.nonce]
    assert offers.take(a.nonce) == [] and offers.take(b.nonce) == []
    for n in range(5):
        offers.new(f"id-x{n}", "cx", 1)
    assert len(offers) == 3 and offers.peek(c.nonce) is None  # the oldest went first


def test_the_allowlist_needs_the_chat_and_its_own_person() -> None:
    allow = Allowlist((10, -500), (10,))
    private = {"id": 10, "type": "private"}
    group = {"id": -500, "type": "group"}
    assert allow.allows(Sender.of(private, {"id": 10}))
    assert not allow.allows(Sender.of(private, {"id": 11}))       # not its person
    assert allow.allows(Sender.of(group, {"id": 10}))
    assert not allow.allows(Sender.of(group, {"id": 99}))         # not an allowed user
    assert not allow.allows(Sender.of(group, {"id": 10, "is_bot": True}))
    assert not allow.allows(Sender.of({"id": 11, "type": "private"}, {"id": 11}))
    assert not allow.allows(Sender.of(group, None))               # anonymous: no from
    assert not allow.allows(Sender.of({"id": True, "type": "private"}, {"id": True}))


def test_the_offset_survives_a_restart_and_expires_with_telegrams_queue(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = OffsetStore(tmp_path, clock=lambda: now[0])
    assert store.next_offset() is None and not store.taken(5)
    store.take(41)
    again = OffsetStore(tmp_path, clock=lambda: now[0])
    assert again.last == 41 and again.next_offset() == 42
    assert again.taken(41) and again.taken(3) and not again.taken(42)
    assert json.loads((tmp_path / "telegram-offset.json").read_text())["last_update_id"] == 41
    now[0] += KEEP_S + 1  # Telegram has forgotten everything by now; ids may restart
    assert again.next_offset() is None and not again.taken(3)
    (tmp_path / "telegram-offset.json").write_text("{not json")
    assert OffsetStore(tmp_path).last is None
    assert [p.name for p in tmp_path.iterdir()] == ["telegram-offset.json"]  # no temp left


def test_enabled_needs_allowed_chats_and_the_url_must_be_http(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    for body, named in (("enabled = true", "telegram.allowed_chats"),
                        ('api_url = "ftp://x"', "telegram.api_url")):
        path.write_text(f"[telegram]\n{body}\n")
        with pytest.raises(ConfigError) as info:
            load_config(path)
        assert named in "\n".join(info.value.problems)
    ok = HearthConfig.model_validate({"telegram": {"enabled": True, "allowed_chats": [1],
                                                   "api_url": "http://127.0.0.1:81/"}})
    assert ok.telegram.api_url == "http://127.0.0.1:81"


def _ctx(api_url: str, env: dict[str, str], *, enabled: bool = True) -> DoctorContext:
    cfg = HearthConfig.model_validate({"telegram": {"enabled": enabled, "allowed_chats": [1, 2],
                                                    "api_url": api_url}})
    return DoctorContext(cfg, None, env, timeout=2.0)


async def test_doctor_checks_the_token_with_get_me(fake_telegram: FakeTelegram) -> None:
    env = {"HEARTH_TELEGRAM_TOKEN": TOKEN}
    passed = await check_telegram(_ctx(fake_telegram.url, env))
    assert passed.status is Status.PASS and "@hearth_test_bot" in passed.detail
    assert "2 allowed chats" in passed.detail
    assert fake_telegram.calls_of("getMe") == [{}]
    off = await check_telegram(_ctx(fake_telegram.url, env, enabled=False))
    assert off.status is Status.SKIP
    missing = await check_telegram(_ctx(fake_telegram.url, {}))
    assert missing.status is Status.FAIL and "$HEARTH_TELEGRAM_TOKEN" in missing.detail
    assert "@BotFather" in missing.fix
    other = TOKEN.replace("CANARY", "OTHERS")
    refused = await check_telegram(_ctx(fake_telegram.url, {"HEARTH_TELEGRAM_TOKEN": other}))
    assert refused.status is Status.FAIL and "refused" in refused.detail
    assert other not in refused.detail + refused.fix
    malformed = await check_telegram(_ctx(fake_telegram.url, {"HEARTH_TELEGRAM_TOKEN": "x:y"}))
    assert malformed.status is Status.FAIL and "x:y" not in malformed.detail
    down = await check_telegram(_ctx(f"http://127.0.0.1:{free_port()}", env))
    assert down.status is Status.FAIL and "cannot" in down.detail and TOKEN not in down.detail
