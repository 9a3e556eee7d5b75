"""hearth's one short-lived MQTT client, for processes without the daemon's bridge.

`hearth ask` (device commands run in-process) and `hearth briefing now` publish through it.
It runs on the same `SocketDriver` as the bridge (the event loop reads and writes the
socket; only the blocking connect() runs in a worker thread), and every acknowledgement is
a future: CONNACK, then each PUBACK. It has its own client id and no will, so it never
touches the daemon's session or its retained `<prefix>/status`. It does not reconnect:
a lost connection fails what is waiting, and the next publish connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from types import TracebackType
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties

from agent.config.mqtt import MqttSection
from agent.errors import BrokerUnavailable, DeviceError, PublishFailed
from agent.mqtt.connection import new_client, no_delay, resolve_password
from agent.mqtt.driver import SocketDriver
from agent.mqtt.inflight import Acks

log = logging.getLogger(__name__)


def oneshot_client_id(cfg: MqttSection) -> str:
    """`<mqtt.client_id or "hearth">-oneshot-<pid>`: never the daemon's own id."""
    return f"{cfg.client_id or 'hearth'}-oneshot-{os.getpid()}"


class OneShotClient:
    """`async with OneShotClient(config.mqtt) as mqtt: await mqtt.publish(topic, data)`.

    With ``lazy=True`` it connects on the first publish, so a command that publishes
    nothing (a question for a model, a dry run) works with the broker down. Connecting
    raises `BrokerUnavailable`; a publish the broker does not acknowledge within
    ``timeout`` seconds raises `PublishFailed`. It satisfies the bridge's publishing side
    (`subscribe` is a no-op: a command handles no inbound messages), and its ``publish``
    also fits a notifier's ``Publish`` callable (topic, payload, retain).
    """

    def __init__(self, cfg: MqttSection, *, lazy: bool = False, timeout: float = 10.0) -> None:
        self._cfg = cfg
        self._lazy = lazy
        self.timeout = timeout
        self.client_id = oneshot_client_id(cfg)
        self._client: paho.Client | None = None
        self._driver: SocketDriver | None = None
        self._acks = Acks()
        self._connack: asyncio.Future[None] | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> OneShotClient:
        if not self._lazy:
            await self.connect()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    @property
    def connected(self) -> bool:
        """Whether the broker accepted this client and the connection is up."""
        return (self._connack is not None and self._connack.done()
                and not self._connack.cancelled() and self._connack.exception() is None)

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Nothing: a command's process handles no inbound messages."""

    async def connect(self) -> None:
        """Connect and wait for the CONNACK; BrokerUnavailable when that fails."""
        async with self._lock:
            if self.connected:
                return
            self._drop()
            cfg = self._cfg
            where = f"{cfg.host}:{cfg.port}"
            client = new_client(cfg, self.client_id, resolve_password(cfg), status_topic=None)
            client.on_socket_open = no_delay
            client.on_connect = self._on_connect
            client.on_disconnect = self._on_disconnect
            self._acks = Acks()
            client.on_publish = self._acks.on_publish
            driver = SocketDriver(client, self._on_lost)
            self._client, self._driver = client, driver
            try:
                # Not cut short by `timeout`: the thread would go on and open a socket
                # nobody closes. paho bounds the TCP connect itself.
                await asyncio.to_thread(client.connect, cfg.host, cfg.port, cfg.keepalive)
            except (OSError, ValueError) as exc:
                self._drop()
                raise BrokerUnavailable(f"cannot reach the MQTT broker at {where}: "
                                        f"{exc}") from exc
            # Created only now, on the loop: the CONNACK is read after attach().
            self._connack = asyncio.get_running_loop().create_future()
            try:
                driver.attach()
                await asyncio.wait_for(asyncio.shield(self._connack), self.timeout)
            except TimeoutError:
                self._drop()
                raise BrokerUnavailable(f"the MQTT broker at {where} did not answer the "
                                        f"connect in {self.timeout:g} s") from None
            except (OSError, BrokerUnavailable):
                self._drop()
                raise

    async def publish(self, topic: str, payload: str | bytes, retain: bool = False, *,
                      qos: int = 1, properties: Properties | None = None) -> None:
        """Send one message and, at QoS 1 or 2, wait for the broker's acknowledgement.

        ``retain`` is also the third positional argument, so this method is a notifier's
        ``Publish`` callable as it stands.
        """
        if not self.connected:
            await self.connect()
        client, driver = self._client, self._driver
        assert client is not None and driver is not None
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        try:
            info = client.publish(topic, data, qos=qos, retain=retain, properties=properties)
        except ValueError as exc:
            raise DeviceError(f"cannot publish to {topic!r}: {exc}") from exc
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise BrokerUnavailable(f"publish to {topic} failed: {paho.error_string(info.rc)}")
        # Registered before the write: the PUBACK can be read as soon as the bytes leave.
        ack = self._acks.expect(info.mid) if qos else None
        driver.flush()
        if ack is None:
            return
        try:
            await asyncio.wait_for(ack, self.timeout)
        except TimeoutError:
            self._acks.forget(info.mid)
            raise PublishFailed(f"the broker did not acknowledge {topic} in "
                                f"{self.timeout:g} s") from None

    async def aclose(self) -> None:
        """Disconnect, if connected (idempotent)."""
        async with self._lock:
            if self._client is not None and self._driver is not None and self.connected:
                with contextlib.suppress(ValueError, RuntimeError, OSError):
                    self._client.disconnect()
                    self._driver.flush()
            self._drop()

    # -- internals ----------------------------------------------------------------------

    def _drop(self) -> None:
        """Close the socket and fail whatever still waits on it."""
        if self._driver is not None:
            self._driver.close()
        self._fail_waiting("connection closed")
        self._client = self._driver = None
        self._connack = None

    def _fail_waiting(self, why: str) -> None:
        if self._connack is not None and not self._connack.done():
            self._connack.set_exception(BrokerUnavailable(f"MQTT {why} before the CONNACK"))
        self._acks.fail_all(BrokerUnavailable(f"MQTT {why} before the broker acknowledged "
                                              "the message"))

    def _on_lost(self, reason: str) -> None:
        self._fail_waiting(reason)
        self._connack = None

    def _on_connect(self, _client: paho.Client, _userdata: Any, _flags: Any,
                    reason_code: Any, _properties: Any) -> None:
        future = self._connack
        if future is None or future.done():
            return
        if getattr(reason_code, "is_failure", False):
            future.set_exception(BrokerUnavailable(
                f"the MQTT broker at {self._cfg.host}:{self._cfg.port} refused the "
                f"connection: {reason_code}"))
        else:
            future.set_result(None)

    def _on_disconnect(self, _client: paho.Client, _userdata: Any, _flags: Any,
                       reason_code: Any, _properties: Any) -> None:
        if self.connected:
            log.debug("one-shot MQTT connection closed: %s", reason_code)
        self._on_lost(str(reason_code))
