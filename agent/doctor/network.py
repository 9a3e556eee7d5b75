"""Checks of the services hearth talks to: the MQTT broker and Ollama. Short timeouts."""

from __future__ import annotations

import os
import time
from typing import Any

from agent.config.mqtt import MqttSection
from agent.doctor.local import unit_secret
from agent.doctor.result import CheckResult, DoctorContext
from agent.errors import CredentialRefused


class _ProbeError(Exception):
    """The broker probe failed; the message says how, the fix what to do."""

    def __init__(self, message: str, fix: str) -> None:
        self.fix = fix
        super().__init__(message)


def _probe_broker(mqtt_cfg: MqttSection, password: str | None, timeout: float) -> str:
    """Connect, wait for CONNACK, disconnect. Blocking (paho): run it in a thread.

    With ``mqtt_cfg.username`` None the probe is anonymous (how the anonymous check works).
    """
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

    where = f"{mqtt_cfg.host}:{mqtt_cfg.port}"
    start_fix = (f"start the broker (sudo apt-get install mosquitto; sudo systemctl enable --now "
                 f"mosquitto), or point mqtt.host / mqtt.port at it (now {where})")
    client = mqtt.Client(CallbackAPIVersion.VERSION2,
                         client_id=f"hearth-doctor-{os.getpid()}", clean_session=True)
    client.connect_timeout = timeout
    answer: dict[str, Any] = {}

    def on_connect(_c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        answer["reason"] = reason

    client.on_connect = on_connect
    try:
        if mqtt_cfg.username:
            client.username_pw_set(mqtt_cfg.username, password)
        if mqtt_cfg.tls is not None:
            tls = mqtt_cfg.tls
            client.tls_set(ca_certs=str(tls.ca_file) if tls.ca_file else None,
                           certfile=str(tls.cert_file) if tls.cert_file else None,
                           keyfile=str(tls.key_file) if tls.key_file else None)
            client.tls_insecure_set(tls.insecure)
    except (OSError, ValueError) as exc:
        raise _ProbeError(f"cannot set up TLS: {exc}",
                          "check the files named in [mqtt.tls] exist and are readable") from exc
    try:
        client.connect(mqtt_cfg.host, mqtt_cfg.port, keepalive=max(5, int(timeout) * 2))
    except (OSError, ValueError) as exc:
        raise _ProbeError(f"cannot reach {where}: {getattr(exc, 'strerror', None) or exc}",
                          start_fix) from exc
    try:
        deadline = time.monotonic() + timeout
        while "reason" not in answer and time.monotonic() < deadline:
            if client.loop(timeout=0.1) != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break
    finally:
        client.disconnect()
        client.loop(timeout=0.1)  # flush DISCONNECT and close the socket
    reason = answer.get("reason")
    if reason is None:
        raise _ProbeError(f"{where} accepted TCP but sent no MQTT answer within {timeout:g} s",
                          "check that mqtt.port is the broker's MQTT port, and mqtt.tls "
                          "matches whether the listener uses TLS")
    if reason.is_failure:
        who = f"user {mqtt_cfg.username!r}" if mqtt_cfg.username else "anonymous clients"
        raise _ProbeError(
            f"{where} refused {who}: {reason}",
            "set mqtt.username and mqtt.password to an account the broker accepts "
            "(mosquitto_passwd), and check its ACL")
    user = f" as {mqtt_cfg.username}" if mqtt_cfg.username else " (anonymous)"
    return f"connected to {where}{user}{' over TLS' if mqtt_cfg.tls else ''}"


async def check_broker(ctx: DoctorContext) -> CheckResult:
    """The broker is reachable and accepts hearth's credentials."""
    import asyncio

    name = "mqtt broker"
    mqtt_cfg = ctx.config.mqtt
    password = None
    if mqtt_cfg.password is not None:
        ref = unit_secret(mqtt_cfg.password)
        try:
            password = ref.resolve(dict(ctx.environ))
        except CredentialRefused as exc:
            return CheckResult.fail(name, str(exc), "chmod 600 the password file")
        if password is None:
            return CheckResult.fail(name, f"the MQTT password ({ref.describe()}) is not set",
                                    f"put the password in {ref.describe()}")
    try:
        # paho's connect and loop block; a thread keeps the other checks running.
        detail = await asyncio.to_thread(_probe_broker, mqtt_cfg, password, ctx.timeout)
    except _ProbeError as exc:
        return CheckResult.fail(name, str(exc), exc.fix)
    if ctx.config.approval.mqtt and await _accepts_anonymous(mqtt_cfg, ctx.timeout):
        return CheckResult.warn(
            name, f"{detail}; the broker ACCEPTS ANONYMOUS CLIENTS, and [approval] mqtt is on: "
                  "any client that learns an action id could open a lock",
            "set allow_anonymous false with a password_file and an acl_file that lets only "
            f"the household write {mqtt_cfg.prefix}/confirm (see deploy/mosquitto/"
            "acl.example), and give hearth mqtt.username / mqtt.password; or set "
            "approval.mqtt = false (approve with `hearth confirm` only)")
    return CheckResult.ok(name, detail)


async def _accepts_anonymous(mqtt_cfg: MqttSection, timeout: float) -> bool:
    """Whether the broker lets a client in with no username at all (tried, not guessed)."""
    import asyncio

    if mqtt_cfg.username is None:
        return True  # hearth itself just got in that way
    anonymous = mqtt_cfg.model_copy(update={"username": None, "password": None})
    try:
        await asyncio.to_thread(_probe_broker, anonymous, None, timeout)
    except _ProbeError:
        return False
    return True


def _full_name(model: str) -> str:
    # Ollama treats a name without a tag as ":latest".
    return model if ":" in model else f"{model}:latest"


def _pull(models: list[str]) -> str:
    return " && ".join(f"ollama pull {m}" for m in models)


async def check_ollama(ctx: DoctorContext) -> CheckResult:
    """Ollama answers, and every model a tier names is pulled."""
    import httpx
    import ollama

    name = "ollama"
    wanted = sorted({t.model for t in ctx.config.tiers.values() if t.backend == "ollama"})
    if not wanted:
        return CheckResult.skip(name, "no tier uses Ollama")
    host = ctx.config.ollama.host
    client = ollama.AsyncClient(host=host, timeout=ctx.timeout)
    try:
        listing = await client.list()
    # ValueError: a reply that is not the JSON Ollama sends (something else on that port).
    except (ConnectionError, httpx.HTTPError, ollama.ResponseError, ValueError) as exc:
        return CheckResult.fail(
            # The SDK's ConnectionError runs on for three sentences; the first says it all.
            name, f"cannot reach Ollama at {host}: {str(exc).split('. ')[0][:100]}",
            "install and start Ollama (https://ollama.com/download; sudo systemctl enable "
            f"--now ollama), or point ollama.host at it; then: {_pull(wanted)}")
    finally:
        await client.close()  # type: ignore[no-untyped-call]  # untyped in ollama 0.6
    pulled = {_full_name(m.model) for m in listing.models if m.model}
    missing = [m for m in wanted if _full_name(m) not in pulled]
    if missing:
        return CheckResult.fail(
            name, f"Ollama at {host} lacks {', '.join(missing)}", _pull(missing))
    return CheckResult.ok(name, f"{host} has {', '.join(wanted)}")
