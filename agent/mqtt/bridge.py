"""paho-mqtt 2.x bridged into asyncio.

paho's socket is driven by the event loop (`agent.mqtt.driver`), one connection at a time;
only the blocking connect() runs in a worker thread. The reconnect loop is hearth's, not
paho's (the client is built with ``reconnect_on_failure=False``): paho's own backoff has no
jitter, and owning the loop lets ``stop()`` interrupt a wait at once. Every paho callback
body is wrapped and logs its own failures; anything paho itself raises while reading or
writing drops the connection (the driver) and the bridge reconnects with a fresh client.
Inbound messages land in a bounded queue whose drops are counted and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties

from agent.config import HearthConfig
from agent.errors import DeviceError
from agent.mqtt.connection import default_client_id, new_client, resolve_password
from agent.mqtt.driver import SocketDriver
from agent.mqtt.inbox import Inbox, MessageHandler
from agent.mqtt.inflight import Acks, acked, first_set
from agent.mqtt.session import SESSION_TAKEN_OVER, SessionClaim
from agent.mqtt.types import (
    BridgeCounters,
    BridgeStats,
    BrokerUnavailable,
    backoff_delay,
)

log = logging.getLogger(__name__)





class MqttBridge:
    """hearth's one MQTT connection: publish, remembered subscriptions, an inbound queue.

    ``on_message`` is awaited for each inbound message, one at a time, in arrival order. A
    handler raising `MalformedMessage` (bad JSON, bad UTF-8, a failed schema) counts the
    message as malformed; any other exception, ValueError and DeviceError included, is
    logged with its traceback and counted as a handler error. Neither stops the bridge.
    """

    def __init__(self, config: HearthConfig, *, on_message: MessageHandler | None = None) -> None:
        self._cfg = config.mqtt
        self.on_message = on_message
        self.status_topic = f"{self._cfg.prefix}/status"
        self._counters = BridgeCounters()
        self._topics: dict[str, int] = {}
        self._unacked: set[int] = set()  # SUBSCRIBE message ids without a SUBACK yet
        self._inbox = Inbox(self._cfg, self._counters)
        self._connected = False
        self._connected_event: asyncio.Event | None = None
        self._disconnected: asyncio.Event | None = None
        self._stop_event: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._accepted_this_round = False
        # Since when the broker is away (monotonic); None while connected.
        self._down_since: float | None = None
        # Stable per installation: a restarted daemon takes over its own old session.
        self._client_id = config.mqtt.client_id or default_client_id(config)
        self._claim = SessionClaim(self._client_id, f"{self._cfg.host}:{self._cfg.port}")
        self._password = resolve_password(self._cfg)
        if (config.mqtt.password is not None and config.mqtt.tls is None
                and config.mqtt.host not in ("localhost", "127.0.0.1", "::1")):
            log.warning("MQTT password is sent to %s without TLS; set [mqtt.tls]",
                        config.mqtt.host)
        # Built here so TLS problems surface at construction; replaced on each reconnect.
        self._client, self._driver = self._build_client()

    # -- construction -------------------------------------------------------------------

    def _build_client(self) -> tuple[paho.Client, SocketDriver]:
        """A fresh paho client for one connection, with the bridge's callbacks."""
        client = new_client(self._cfg, self._client_id, self._password,
                            status_topic=self.status_topic)
        client.on_socket_open = self._on_socket_open
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        # Publishes of the previous client wait on its own Acks and learn of its loss.
        self._acks = Acks()
        client.on_publish = self._acks.on_publish
        return client, SocketDriver(client, self._on_lost)

    # -- public API ---------------------------------------------------------------------

    @property
    def client_id(self) -> str:
        """The MQTT client id this bridge connects with."""
        return self._client_id

    @property
    def connected(self) -> bool:
        """Whether the broker accepted us and the connection is up."""
        return self._connected

    @property
    def stats(self) -> BridgeStats:
        """A snapshot of the counters."""
        c = self._counters
        return BridgeStats(
            received=c.received,
            dropped_full=c.dropped_full,
            dropped_oversize=c.dropped_oversize,
            dropped_malformed=c.dropped_malformed,
            handler_errors=c.handler_errors,
            reconnects=c.reconnects,
            queue_depth=self._inbox.depth,
            connected=self._connected,
        )

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Subscribe now if connected, and again on every (re)connect.

        ``max_payload`` raises the size limit for messages on exactly this topic (for
        example Zigbee2MQTT's device list, which outgrows the default in a large house).
        """
        known = topic in self._topics
        self._topics[topic] = qos
        if max_payload is not None:
            self._inbox.large[topic] = max_payload
        if not known and self._connected:
            self._track_suback(self._client.subscribe(topic, qos=qos))

    async def start(self) -> None:
        """Start connecting in the background; returns at once, whatever the broker does."""
        if self._tasks:
            return
        self._inbox.open()
        self._connected_event = asyncio.Event()
        self._stop_event = asyncio.Event()
        self._down_since = time.monotonic()  # not connected yet
        self._tasks = [
            asyncio.create_task(self._supervise(), name="mqtt-supervisor"),
            asyncio.create_task(self._inbox.consume(lambda: self.on_message),
                                name="mqtt-consumer"),
        ]

    async def wait_connected(self, timeout: float | None = None) -> bool:
        """Wait until connected (or `timeout` seconds); True when connected."""
        if self._connected_event is None:
            raise DeviceError("MqttBridge.start() was not called")
        try:
            await asyncio.wait_for(self._connected_event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_subscribed(self, timeout: float = 10.0) -> bool:
        """Wait until connected and every subscription is acknowledged; True when so."""
        deadline = time.monotonic() + timeout
        if not await self.wait_connected(timeout):
            return False
        while self._unacked or not self._connected:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    def _track_suback(self, result: tuple[Any, int | None]) -> None:
        rc, mid = result
        # The SUBACK is read on this same loop later, so the id is always noted first.
        if rc == MQTTErrorCode.MQTT_ERR_SUCCESS and mid is not None:
            self._unacked.add(mid)

    async def publish(
        self,
        topic: str,
        payload: str | bytes,
        *,
        qos: int = 1,
        retain: bool = False,
        properties: Properties | None = None,
    ) -> None:
        """Send a message; raises BrokerUnavailable when it was not sent.

        QoS 0 returns once written; QoS 1 and 2 once the broker acknowledged the message. A
        connection lost first, or the broker away when asked, is waited out for at most
        ``mqtt.resend_window`` seconds from the request (from the loss, when the broker was
        already away) and the message is sent on the new connection; past that the caller
        hears "not sent" and it is never sent: each connection has a fresh client, so
        nothing is re-sent late. A message the broker read just before it died may arrive
        twice (QoS 1 is "at least once").
        """
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        window = self._cfg.resend_window
        deadline = time.monotonic() + window
        if self._down_since is not None:
            deadline = min(deadline, self._down_since + window)
        while True:
            if not self._connected and not await self._reconnected_by(deadline):
                raise BrokerUnavailable(f"MQTT broker not connected for {window:g} s; "
                                        f"not sent to {topic}")
            acks, lost = self._acks, self._disconnected
            try:
                info = self._client.publish(topic, data, qos=qos, retain=retain,
                                            properties=properties)
            except ValueError as exc:
                raise DeviceError(f"cannot publish to {topic!r}: {exc}") from exc
            if info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN:
                continue  # the connection went between the check and the call
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                raise BrokerUnavailable(f"publish to {topic} failed: {paho.error_string(info.rc)}")
            ack = acks.expect(info.mid) if qos else None
            # On the wire before this returns (a non-blocking write; the rest waits for the
            # socket to drain), not after whatever the caller does next.
            self._driver.flush()
            if ack is None:
                if not self._connected:
                    raise BrokerUnavailable(f"MQTT connection lost; not sent to {topic}")
                return
            if await acked(ack, lost, self._stop_event,
                           until=max(deadline, time.monotonic() + window)):
                return
            acks.forget(info.mid)
            if self._connected and lost is self._disconnected:
                raise BrokerUnavailable(f"the broker did not acknowledge {topic} within "
                                        f"{window:g} s; not sent (as far as hearth knows)")
            log.info("MQTT connection lost before the broker acknowledged %s; sending it "
                     "again if the broker is back within %.1f s", topic,
                     max(0.0, deadline - time.monotonic()))

    async def _reconnected_by(self, deadline: float) -> bool:
        """Wait for a connection until `deadline` (monotonic) or stop(); True if connected."""
        assert self._connected_event is not None and self._stop_event is not None
        while not self._connected and not self._stop_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await first_set(self._connected_event, self._stop_event, timeout=remaining)
        return self._connected and not self._stop_event.is_set()

    async def stop(self) -> None:
        """Announce "offline", disconnect and stop the background tasks."""
        if not self._tasks or self._stop_event is None:
            return
        self._stop_event.set()
        supervisor, consumer = self._tasks
        try:
            if self._connected:
                await self._say_offline()
            self._connected = False  # a disconnect we asked for is not "connection lost"
            # Only a watched socket: while connect() runs in its worker thread, the
            # supervisor disconnects once it returns.
            if self._driver.attached:
                self._client.disconnect()
                self._driver.flush()
            try:
                await asyncio.wait_for(asyncio.shield(supervisor), self._cfg.stop_timeout)
            except TimeoutError:
                log.warning("MQTT supervisor did not stop in time; cancelled")
        finally:
            # Also when stop() itself is cancelled (a shutdown stage ran out of time): no
            # task, reader or socket may outlive the bridge.
            for task in (supervisor, consumer):
                task.cancel()
            await asyncio.gather(supervisor, consumer, return_exceptions=True)
            self._driver.close()
            self._connected = False
            self._tasks = []

    async def _say_offline(self) -> None:
        """Publish the retained "offline" and wait (bounded) for the broker's PUBACK."""
        try:
            info = self._client.publish(self.status_topic, "offline", qos=1, retain=True)
            self._driver.flush()
            deadline = time.monotonic() + self._cfg.stop_timeout
            while not info.is_published() and self._connected:
                if time.monotonic() > deadline:
                    log.warning("broker did not acknowledge the offline status in %.0f s",
                                self._cfg.stop_timeout)
                    return
                await asyncio.sleep(0.01)
        except (ValueError, RuntimeError) as exc:
            log.warning("could not publish offline status: %s", exc)

    # -- background tasks (event loop) --------------------------------------------------

    async def _supervise(self) -> None:
        assert self._stop_event is not None and self._connected_event is not None
        cfg = self._cfg
        attempt = 0
        while not self._stop_event.is_set():
            self._disconnected = asyncio.Event()
            self._accepted_this_round = False
            if attempt:
                self._client, self._driver = self._build_client()
            try:
                # connect() resolves DNS and does the TCP and TLS handshakes synchronously.
                await asyncio.to_thread(self._client.connect, cfg.host, cfg.port, cfg.keepalive)
            except (OSError, ValueError) as exc:
                attempt += 1
                delay = backoff_delay(attempt, cfg.reconnect_min_delay, cfg.reconnect_max_delay)
                log.warning("MQTT broker %s:%d unreachable (%s); retry %d in %.1f s",
                            cfg.host, cfg.port, exc, attempt, delay)
                await self._sleep_unless_stopped(delay)
                continue
            try:
                self._driver.attach()
                if self._stop_event.is_set():
                    self._client.disconnect()  # stop() came while we were connecting
                    self._driver.flush()
                    break
                await self._disconnected.wait()
            except OSError as exc:
                log.warning("MQTT connection to %s:%d unusable: %s", cfg.host, cfg.port, exc)
            finally:
                # Whatever ended this connection, its socket goes with it (a DISCONNECT
                # that could not be written leaves paho's socket open).
                self._driver.close()
            if self._stop_event.is_set():
                break
            # A session taken over is a fight with another client: back off as for a
            # failure, so two clients with one id settle at one reconnect a minute.
            fighting = self._claim.contested
            attempt = 1 if self._accepted_this_round and not fighting else attempt + 1
            delay = backoff_delay(attempt, cfg.reconnect_min_delay, cfg.reconnect_max_delay)
            log.info("MQTT reconnecting in %.1f s", delay)
            await self._sleep_unless_stopped(delay)

    async def _sleep_unless_stopped(self, delay: float) -> None:
        assert self._stop_event is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_event.wait(), delay)

    def _mark_connected(self, connected: bool) -> None:
        assert self._connected_event is not None
        if connected:
            self._down_since = None
            self._connected_event.set()
        else:
            if self._down_since is None:
                self._down_since = time.monotonic()
            self._connected_event.clear()
            if self._disconnected is not None:
                self._disconnected.set()

    def _on_lost(self, reason: str) -> None:
        """The driver dropped the connection itself (paho raised)."""
        if self._connected:
            log.warning("MQTT connection dropped: %s", reason)
        self._connected = False
        self._mark_connected(False)

    # -- paho callbacks: wrapped and short. All run on the loop (from the driver), except
    # on_socket_open, which connect() calls in its worker thread. ----------------------

    def _on_socket_open(self, _client: paho.Client, _userdata: Any, sock: Any) -> None:
        try:
            # paho leaves Nagle on: a command written right after a PUBACK would wait for
            # the broker's delayed ACK (~40 ms per hop). Commands are small and urgent.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError) as exc:
            log.debug("TCP_NODELAY not set: %s", exc)

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any,
                    reason_code: Any, _properties: Any) -> None:
        try:
            if reason_code.is_failure:
                log.error("MQTT broker %s:%d refused the connection: %s",
                          self._cfg.host, self._cfg.port, reason_code)
                return
            topics = list(self._topics.items())
            self._unacked.clear()
            # The broker forgets subscriptions with a clean session; renew them every time.
            # The claim is subscribed first and published after: the broker hands us the
            # claim retained from before, then ours (see agent.mqtt.session).
            self._claim.connected()
            self._track_suback(client.subscribe([(self._claim.topic, 1), *topics]))
            client.publish(self._claim.topic, self._claim.token, qos=1, retain=True)
            client.publish(self.status_topic, "online", qos=1, retain=True)
            self._connected = True
            self._accepted_this_round = True
            n = self._counters.bump("reconnects") - 1
            log.info("MQTT connected to %s:%d (%d subscriptions, connect #%d)",
                     self._cfg.host, self._cfg.port, len(topics), n + 1)
            self._mark_connected(True)
        except Exception:
            log.exception("error in MQTT on_connect")

    def _on_subscribe(self, _client: paho.Client, _userdata: Any, mid: int,
                      reason_codes: Any, _properties: Any) -> None:
        try:
            self._unacked.discard(mid)
            refused = [rc for rc in reason_codes if getattr(rc, "is_failure", False)]
            if refused:
                log.warning("broker refused a subscription (message %d): %s", mid, refused)
        except Exception:
            log.exception("error in MQTT on_subscribe")

    def _on_disconnect(self, _client: paho.Client, _userdata: Any, _flags: Any,
                       reason_code: Any, _properties: Any) -> None:
        try:
            was = self._connected
            self._connected = False
            if reason_code == SESSION_TAKEN_OVER:
                self._claim.contested = True
                self._claim.taken_over("the broker says so")
            elif was:
                # Once a rival is known, its takeovers were said already (SessionClaim).
                log.log(logging.DEBUG if self._claim.contested else logging.WARNING,
                        "MQTT connection lost (client id %r): %s", self._client_id,
                        reason_code)
            self._mark_connected(False)
        except Exception:
            log.exception("error in MQTT on_disconnect")

    def _on_message(self, _client: paho.Client, _userdata: Any, msg: paho.MQTTMessage) -> None:
        try:
            with contextlib.suppress(UnicodeDecodeError):  # a bad topic is the inbox's to count
                if msg.topic == self._claim.topic:
                    self._claim.seen(bytes(msg.payload), retained=bool(msg.retain))
                    return
            self._inbox.put(msg)
        except Exception:
            log.exception("error in MQTT on_message")
