"""`<prefix>/ask` JSON "conversation" and "tier": the follow-up key and the tier cue."""

from __future__ import annotations

import json

import pytest

from agent.errors import MalformedMessage
from agent.mqtt.requests import parse_ask
from agent.mqtt.types import MessageMeta

P = "hearth"


def _parse(doc: object, meta: MessageMeta | None = None) -> object:
    return parse_ask(json.dumps(doc).encode(), meta or MessageMeta(), prefix=P)


def test_a_json_conversation_id_keys_the_follow_ups_and_beats_the_response_topic() -> None:
    meta = MessageMeta(response_topic="phone/answers")
    request = parse_ask(json.dumps({"text": "hi", "conversation": "kitchen-tablet"}).encode(),
                        meta, prefix=P)
    assert request.conversation == "mqtt:id:kitchen-tablet"
    assert request.reply_topic == "phone/answers"


def test_a_v5_response_topic_keys_the_follow_ups_plain_reply_has_no_key() -> None:
    assert parse_ask(b"hi", MessageMeta(response_topic="phone/answers"),
                     prefix=P).conversation == "mqtt:rt:phone/answers"
    assert parse_ask(b"hi", MessageMeta(), prefix=P).conversation is None
    # A refused response topic answers on <prefix>/reply: shared, so no key either.
    assert parse_ask(b"hi", MessageMeta(response_topic=f"{P}/status"),
                     prefix=P).conversation is None


@pytest.mark.parametrize("bad", [7, "", "x" * 65, ["a"], "a\x01b"])
def test_a_bad_conversation_is_malformed(bad: object) -> None:
    with pytest.raises(MalformedMessage, match='"conversation"'):
        _parse({"text": "hi", "conversation": bad})


@pytest.mark.parametrize("bad", ["none", "DEEP", 3, True])
def test_a_bad_tier_is_malformed(bad: object) -> None:
    with pytest.raises(MalformedMessage, match='"tier"'):
        _parse({"text": "hi", "tier": bad})


def test_a_tier_is_parsed_and_absent_fields_stay_none() -> None:
    request = parse_ask(json.dumps({"text": "hi", "tier": "deep"}).encode(), MessageMeta(),
                        prefix=P)
    assert (request.tier, request.conversation) == ("deep", None)
    assert parse_ask(b'{"text": "hi"}', MessageMeta(), prefix=P).tier is None


def test_a_tier_counts_only_where_ask_mqtt_tiers_allows_it(
        caplog: pytest.LogCaptureFixture) -> None:
    from agent.mqtt.requests import allowed_tier

    assert allowed_tier(None, (), topic="h/ask") is None
    assert allowed_tier("deep", ("local", "deep"), topic="h/ask") == "deep"
    with caplog.at_level("INFO", logger="agent.mqtt.requests"):
        assert allowed_tier("deep", (), topic="h/ask") is None
    assert 'ignored "tier": deep on h/ask: not in [ask] mqtt_tiers' in caplog.text
