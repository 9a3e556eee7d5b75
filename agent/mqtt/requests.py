"""`<prefix>/ask`: requests over MQTT, and their replies.

A request is plain text, or JSON ``{"id": "...", "text": "...", "dry_run": false}``. The
answer goes to `<prefix>/reply`, or, for an MQTT v5 request carrying a response topic, to
that topic with the request's correlation data. JSON may add ``"conversation"`` (an id of at
most 64 characters that keys follow-ups) and ``"tier"`` (a cue, honoured only for the tiers
`[ask] mqtt_tiers` lists); a v5 response topic keys follow-ups too. Plain `<prefix>/reply`
traffic has no key: its requesters cannot be told apart. A payload must never choose where hearth
publishes something harmful (prompt-injected or spoofed requests): a response topic that is hearth's own, a
device's command topic, a discovery topic or a wildcard is refused and the answer goes to
`<prefix>/reply` instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agent.errors import MalformedMessage
from agent.mqtt.outbound import OutboundMessage
from agent.mqtt.payload import decode_text, load_json
from agent.mqtt.topics import is_publishable
from agent.mqtt.types import MessageMeta

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000
MAX_ID_CHARS = 64
MAX_AREA_CHARS = 80
MAX_CONVERSATION_CHARS = 64
ASK_TIERS = ("local", "fast", "deep")


@dataclass(frozen=True, slots=True)
class AskRequest:
    """One parsed request and where its answer goes."""

    text: str
    reply_topic: str
    id: str | None = None
    correlation_data: bytes | None = None
    dry_run: bool = False
    json: bool = False
    # The speaker's room as the client says it ("area"), or the client's satellite id
    # ("satellite", mapped to an area by the config); checked against known areas later.
    area: str | None = None
    satellite: str | None = None
    # The follow-up key (mqtt:id:<conversation> or mqtt:rt:<response topic>), None for none.
    conversation: str | None = None
    # A requested tier cue; the daemon ignores it unless [ask] mqtt_tiers allows it.
    tier: str | None = None


def parse_ask(payload: bytes, meta: MessageMeta, *, prefix: str,
              refuse_topic: Callable[[str], bool] | None = None) -> AskRequest:
    """Parse a request; MalformedMessage (counted as malformed) when it is not one."""
    text = decode_text(payload).strip()
    request_id: str | None = None
    dry_run = False
    area = satellite = None
    conversation: str | None = None
    tier: str | None = None
    is_json = text.startswith("{")
    if is_json:
        doc = load_json(text, max_depth=4)  # deep nesting is malformed, not a RecursionError
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise MalformedMessage('JSON requests need a string "text"')
        raw_id = doc.get("id")
        if raw_id is not None:
            if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
                raise MalformedMessage('"id" must be a string or an integer')
            request_id = str(raw_id)[:MAX_ID_CHARS]
        dry_run = doc.get("dry_run") is True
        area = _short(doc, "area")
        satellite = _short(doc, "satellite")
        text = doc["text"].strip()
        conversation, tier = _conversation_and_tier(doc)
    if not text:
        raise MalformedMessage("empty request")
    if len(text) > MAX_TEXT_CHARS:
        raise MalformedMessage(f"request longer than {MAX_TEXT_CHARS} characters")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise MalformedMessage("request contains control characters")
    reply_topic = f"{prefix}/reply"
    if meta.response_topic:
        if _allowed_response_topic(meta.response_topic, prefix, refuse_topic):
            reply_topic = meta.response_topic
        else:
            log.warning("refused response topic %r; answering on %s",
                        meta.response_topic[:100], reply_topic)
    key = (f"mqtt:id:{conversation}" if conversation is not None
           else f"mqtt:rt:{reply_topic}" if reply_topic != f"{prefix}/reply" else None)
    return AskRequest(text=text, reply_topic=reply_topic, id=request_id,
                      correlation_data=meta.correlation_data, dry_run=dry_run, json=is_json,
                      area=area, satellite=satellite, conversation=key, tier=tier)


def _short(doc: Mapping[str, Any], key: str) -> str | None:
    """An optional short string field; a wrong type is malformed, not ignored."""
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_AREA_CHARS:
        raise MalformedMessage(f'"{key}" must be a string of at most {MAX_AREA_CHARS} characters')
    return value.strip() or None


def allowed_tier(tier: str | None, allowed: Iterable[str], *, topic: str) -> str | None:
    """`tier` when `[ask] mqtt_tiers` lists it; otherwise None, with one INFO line (a payload
    must not choose to spend on Claude unless the household allowed it)."""
    if tier is None or tier in allowed:
        return tier
    log.info('ignored "tier": %s on %s: not in [ask] mqtt_tiers', tier, topic)
    return None


def _conversation_and_tier(doc: Mapping[str, Any]) -> tuple[str | None, str | None]:
    conversation = doc.get("conversation")
    if conversation is not None:
        if (not isinstance(conversation, str) or not conversation.strip()
                or len(conversation) > MAX_CONVERSATION_CHARS):
            raise MalformedMessage(f'"conversation" must be a string of 1 to '
                                   f"{MAX_CONVERSATION_CHARS} characters")
        if any(ord(c) < 32 for c in conversation):
            raise MalformedMessage('"conversation" contains control characters')
    tier = doc.get("tier")
    if tier is not None and tier not in ASK_TIERS:
        raise MalformedMessage(f'"tier" must be one of {", ".join(ASK_TIERS)}')
    return conversation, tier


def _allowed_response_topic(topic: str, prefix: str,
                            refuse_topic: Callable[[str], bool] | None) -> bool:
    if not is_publishable(topic):
        return False
    own_reply = topic == f"{prefix}/reply" or topic.startswith(f"{prefix}/reply/")
    if topic.startswith(prefix + "/") and not own_reply:
        return False  # status, ask, confirm, briefing: never written by a request
    return not (refuse_topic is not None and refuse_topic(topic))


def build_reply(request: AskRequest, text: str, *,
                data: Mapping[str, Any] | None = None) -> OutboundMessage:
    """The publish answering `request`: JSON for JSON requests, else plain text."""
    if request.json or request.id is not None:
        body: dict[str, Any] = {"id": request.id, "text": text}
        if data:
            body["data"] = dict(data)
        payload = json.dumps(body, default=str, separators=(",", ":"))
    else:
        payload = text
    properties = None
    if request.correlation_data is not None:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.CorrelationData = request.correlation_data
    return OutboundMessage(request.reply_topic, payload, qos=1, retain=False,
                           properties=properties)
