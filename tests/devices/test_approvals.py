"""Approval ids, the history of approvals, and what a shared topic may carry (issue 13)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from agent.db import Database
from agent.devices.approvals import ApprovalHistory
from agent.devices.pending import ID_CHARS, PendingEvent, new_id, normalise_id
from tests.devices.stack import home_stack
from tests.mqtt.client import PeerClient
from tests.support.broker import Broker

ID_RE = re.compile(r"[a-z2-9]{5}(?:-[a-z2-9]{5}){3}")


def test_ids_are_long_random_and_forgiving_when_typed() -> None:
    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000 and all(ID_RE.fullmatch(i) for i in ids)
    assert ID_CHARS * 4.95 >= 96  # log2(31) > 4.95: at least 96 bits
    one = next(iter(ids))
    assert normalise_id(one.upper().replace("-", " ")) == one
    assert normalise_id(one.replace("-", "")) == one
    assert normalise_id(one[:-1]) is None and normalise_id(one + "a") is None
    assert normalise_id(one[:-1] + "0") is None  # 0 is not in the alphabet


async def test_every_outcome_is_recorded_and_survives_a_restart(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, state_dir: Path
) -> None:
    devices = [{"name": "back door", "kind": "lock", "protocol": "topic",
                "command_topic": f"{topic_prefix}/lock/set"}]
    mqtt_peer.subscribe(f"{topic_prefix}/lock/set")
    db = Database.open(None, state_dir)
    try:
        async with home_stack(running_broker, topic_prefix, devices=devices,
                              discovery={"confirm_timeout": 0.2}) as s:
            s.home.history = ApprovalHistory(db)
            approved = (await s.text("HassTurnOff", name="back door")).data["actions"][0]
            assert (await s.home.confirm(approved["pending_id"]))["ok"] is True
            assert (await mqtt_peer.expect(f"{topic_prefix}/lock/set")).payload == b"OFF"
            assert (await s.home.confirm(approved["pending_id"]))["ok"] is False
            cancelled = (await s.text("HassTurnOff", name="back door")).data["actions"][0]
            assert (await s.home.control_cancel({"id": cancelled["pending_id"]}))["ok"]
            expired = (await s.text("HassTurnOff", name="back door")).data["actions"][0]
            # Nobody asks about it: the daemon's timer notices the expiry and records it.
            await s.wait_for(lambda: not s.home.pending.pending(), timeout=5)
            await asyncio.sleep(0.1)
            await s.home.history.flush()
            assert await mqtt_peer.nothing_on(f"{topic_prefix}/lock/set", 0.2) == []
    finally:
        db.close()
    reopened = Database.open(None, state_dir)
    try:
        rows = await ApprovalHistory(reopened).recent(50)
    finally:
        reopened.close()
    got = [(r["kind"], r["code"], r["path"]) for r in rows]
    a, c, e = (x["pending_id"][:5] for x in (approved, cancelled, expired))
    assert got == [("requested", a, "request"), ("approved", a, "control"),
                   ("refused", a, "control"), ("requested", c, "request"),
                   ("cancelled", c, "control"), ("requested", e, "request"),
                   ("expired", e, "timer")]
    assert rows[1]["device"] == "back_door" and rows[1]["payload"] == "OFF"
    # The history names an action by its code: the full id (the capability) is not kept.
    assert not any(approved["pending_id"] in str(r) for r in rows)


async def test_a_refusal_flood_cannot_grow_the_history_without_end(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        history = ApprovalHistory(db, keep=100)
        for n in range(300):
            history.record(PendingEvent("refused", f"x{n}", "mqtt", detail="unknown"))
        rows = await history.recent(1000)
    finally:
        db.close()
    assert [r["code"] for r in rows] == [f"x{n}" for n in range(200, 300)]


async def test_shared_reply_carries_no_action_id(
    running_broker: Broker, topic_prefix: str
) -> None:
    devices = [{"name": "garage", "kind": "garage", "protocol": "topic",
                "command_topic": f"{topic_prefix}/garage/set"}]
    async with home_stack(running_broker, topic_prefix, devices=devices) as s:
        reply = await s.text("HassTurnOn", name="garage")
        full = reply.data["actions"][0]["pending_id"]
        assert ID_RE.fullmatch(full) and full in reply.text
        text, data = s.home.shared_reply(reply.text, dict(reply.data))
        assert full not in text and full not in str(data)
        assert "hearth pending" in text and full[:5] in text
        assert data["actions"][0]["pending_code"] == full[:5]
        # The held action is untouched: the owner can still confirm it by its full id.
        assert [p.id for p in s.home.pending.pending()] == [full]
