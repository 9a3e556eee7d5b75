"""paho-mqtt 2.x bridged into asyncio.

paho's socket is driven by the event loop (`agent.mqtt.driver`), one connection at a time;
only the blocking connect() runs in a worker thread. The reconnect loop is hearth's, not
paho's (the client is built with ``reconnect_on_failure=False``): paho's own backoff has no
jitter, and owning the loop lets ``stop()`` interrupt a wait at once. Where the connection
is lives in one `ConnState` (agent.mqtt.state); every acknowledgement (CONNACK, SUBACK,
PUBACK) is a future, so nothing polls. Every paho callback body is wrapped and logs its own
failures; anything paho itself raises while reading or writing drops the connection (the
driver) and the bridge reconnects with a fresh client. Inbound messages land in a bounded
queue whose drops are counted and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties

from agent.backoff import backoff
from agent.config import HearthConfig
from agent.errors import BrokerUnavailable, DeviceError, HearthError
from agent.mqtt.connection import default_client_id, new_client, no_delay, resolve_password
from agent.mqtt.driver import SocketDriver
from agent.mqtt.inbox import Inbox, MessageHandler
from agent.mqtt.inflight import Acks
from agent.mqtt.outage import Outage
from agent.mqtt.session import SESSION_TAKEN_OVER, SessionClaim
from agent.mqtt.state import DOWN, ENDING, ConnState, StateMachine
from agent.mqtt.subscriptions import Subscriptions
from agent.mqtt.types import BridgeCounters, BridgeStats

log = logging.getLogger(__name__)

# Equal jitter: a reconnect waits between half and all of its step.
RECONNECT_JITTER = 0.5


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
        self._subs = Subscriptions()
        self._inbox = Inbox(self._cfg, self._counters)
        self._conn = StateMachine(self._state_changed)
        self._tasks: list[asyncio.Task[None]] = []
        # Resolved when the current connection ends, whoever ends it (stop() included).
        self._closed: asyncio.Future[None] | None = None
        # Since when the broker is away (monotonic); None while connected.
        self._down_since: float | None = None
        self._outage = Outage(f"{self._cfg.host}:{self._cfg.port}")
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
        client.on_socket_open = no_delay
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        # Message ids are per client: each connection has its own Acks.
        self._acks = Acks()
        client.on_publish = self._acks.on_publish
        return client, SocketDriver(client, self._on_lost)

    # -- public API ---------------------------------------------------------------------

    @property
    def client_id(self) -> str:
        """The MQTT client id this bridge connects with."""
        return self._client_id

    @property
    def state(self) -> ConnState:
        """Where the connection is."""
        return self._conn.state

    @property
    def connected(self) -> bool:
        """Whether the broker accepted us and the connection is up."""
        return self._conn.state is ConnState.CONNECTED

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
            connected=self.connected,
        )

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Subscribe now if connected, and again on every (re)connect.

        ``max_payload`` raises the size limit for messages on exactly this topic (for
        example Zigbee2MQTT's device list, which outgrows the default in a large house).
        """
        new = self._subs.remember(topic, qos)
        if max_payload is not None:
            self._inbox.large[topic] = max_payload
        if new and self.connected:
            self._subs.expect(self._client.subscribe(topic, qos=qos))

    async def start(self) -> None:
        """Start connecting in the background; returns at once, whatever the broker does."""
        if self._tasks:
            return
        self._inbox.open()
        self._down_since = time.monotonic()  # not connected yet
        self._conn.enter(ConnState.CONNECTING)
        self._tasks = [
            asyncio.create_task(self._supervise(), name="mqtt-supervisor"),
            asyncio.create_task(self._inbox.consume(lambda: self.on_message),
                                name="mqtt-consumer"),
        ]

    async def wait_connected(self, timeout: float | None = None) -> bool:
        """Wait until connected (or `timeout` seconds); True when connected."""
        if not self._tasks:
            raise DeviceError("MqttBridge.start() was not called")
        return await self._conn.wait({ConnState.CONNECTED}, timeout)

    async def wait_subscribed(self, timeout: float = 10.0) -> bool:
        """Wait until connected and every subscription is acknowledged; True when so.

        Returns on the last SUBACK; a connection lost meanwhile is waited out (its
        subscriptions are renewed on the next) until `timeout`.
        """
        deadline = time.monotonic() + timeout
        while await self.wait_connected(max(0.0, deadline - time.monotonic())):
            pending = self._subs.pending()
            remaining = deadline - time.monotonic()
            if not pending:
                return True
            if remaining <= 0:
                return False
            # Wakes on each SUBACK, on the connection's loss, or at the deadline.
            lost = self._conn.when(DOWN)
            waits: list[asyncio.Future[Any]] = [*pending, lost]
            try:
                await asyncio.wait(waits, timeout=remaining,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                lost.cancel()
        return False

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
            if not self.connected and not await self._reconnected_by(deadline):
                raise BrokerUnavailable(f"MQTT broker not connected for {window:g} s; "
                                        f"not sent to {topic}")
            try:
                info = self._client.publish(topic, data, qos=qos, retain=retain,
                                            properties=properties)
            except ValueError as exc:
                raise DeviceError(f"cannot publish to {topic!r}: {exc}") from exc
            if info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN:
                continue  # the connection went between the check and the call
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                raise BrokerUnavailable(f"publish to {topic} failed: {paho.error_string(info.rc)}")
            # Registered before the write: the PUBACK may be read as soon as bytes leave.
            acks = self._acks
            ack = acks.expect(info.mid) if qos else None
            # On the wire before this returns (a non-blocking write; the rest waits for the
            # socket to drain), not after whatever the caller does next.
            self._driver.flush()
            if ack is None:
                if not self.connected:
                    raise BrokerUnavailable(f"MQTT connection lost; not sent to {topic}")
                return
            until = max(deadline, time.monotonic() + window)
            try:
                # A lost connection or stop() fails the future with BrokerUnavailable.
                await asyncio.wait_for(ack, max(0.0, until - time.monotonic()))
                return
            except TimeoutError:
                acks.forget(info.mid)
                raise BrokerUnavailable(f"the broker did not acknowledge {topic} within "
                                        f"{window:g} s; not sent (as far as hearth "
                                        "knows)") from None
            except BrokerUnavailable:
                pass
            log.info("MQTT connection lost before the broker acknowledged %s; sending it "
                     "again if the broker is back within %.1f s", topic,
                     max(0.0, deadline - time.monotonic()))

    async def _reconnected_by(self, deadline: float) -> bool:
        """Wait for a connection until `deadline` (monotonic) or stop(); True if connected."""
        if self.state in ENDING:
            return False
        await self._conn.wait({ConnState.CONNECTED, *ENDING},
                              max(0.0, deadline - time.monotonic()))
        return self.connected

    async def stop(self) -> None:
        """Announce "offline", disconnect and stop the background tasks."""
        if not self._tasks or self.state in ENDING:
            return
        was_connected = self.connected
        # A disconnect we asked for is not "connection lost"; publishes waiting hear "not
        # sent" now rather than wait for a broker that will not be asked again.
        self._conn.enter(ConnState.STOPPING)
        supervisor, consumer = self._tasks
        try:
            if was_connected:
                await self._say_offline()
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
            self._tasks = []
            self._conn.enter(ConnState.STOPPED)

    async def _say_offline(self) -> None:
        """Publish the retained "offline" and wait (bounded) for the broker's PUBACK."""
        try:
            info = self._client.publish(self.status_topic, "offline", qos=1, retain=True)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                log.warning("could not publish offline status: %s", paho.error_string(info.rc))
                return
            ack = self._acks.expect(info.mid)
            self._driver.flush()
            await asyncio.wait_for(ack, self._cfg.stop_timeout)
        except TimeoutError:
            log.warning("broker did not acknowledge the offline status in %.0f s",
                        self._cfg.stop_timeout)
        except (ValueError, RuntimeError, HearthError) as exc:
            log.warning("could not publish offline status: %s", exc)

    # -- background tasks (event loop) --------------------------------------------------

    async def _supervise(self) -> None:
        cfg = self._cfg
        attempt = 0
        while self.state not in ENDING:
            self._conn.enter(ConnState.CONNECTING)
            accepted_before = self._counters.reconnects
            if attempt:
                self._client, self._driver = self._build_client()
            try:
                # connect() resolves DNS and does the TCP and TLS handshakes synchronously.
                await asyncio.to_thread(self._client.connect, cfg.host, cfg.port, cfg.keepalive)
            except (OSError, ValueError) as exc:
                attempt += 1
                delay = self._delay(attempt)
                self._outage.failed(exc, delay)
                await self._back_off(delay)
                continue
            self._closed = asyncio.get_running_loop().create_future()
            try:
                self._driver.attach()
                if self.state in ENDING:
                    self._client.disconnect()  # stop() came while we were connecting
                    self._driver.flush()
                    break
                # Until the broker refuses, the connection drops, or stop() disconnects.
                await self._closed
            except OSError as exc:
                log.warning("MQTT connection to %s:%d unusable: %s", cfg.host, cfg.port, exc)
            finally:
                # Whatever ended this connection, its socket goes with it (a DISCONNECT
                # that could not be written leaves paho's socket open).
                self._driver.close()
            if self.state in ENDING:
                break
            # A session taken over is a fight with another client: back off as for a
            # failure, so two clients with one id settle at one reconnect a minute.
            accepted = self._counters.reconnects != accepted_before
            attempt = 1 if accepted and not self._claim.contested else attempt + 1
            delay = self._delay(attempt)
            if not accepted:
                self._outage.failed(None, delay)
            log.info("MQTT reconnecting in %.1f s", delay)
            await self._back_off(delay)

    def _delay(self, attempt: int) -> float:
        return backoff(attempt, base=self._cfg.reconnect_min_delay,
                       cap=self._cfg.reconnect_max_delay, jitter=RECONNECT_JITTER)

    async def _back_off(self, delay: float) -> None:
        """Wait `delay` s in BACKING_OFF, or less when stop() comes."""
        if self.state in ENDING:
            return  # stop() came during the attempt
        self._conn.enter(ConnState.BACKING_OFF)
        await self._conn.wait(ENDING, delay)

    def _state_changed(self, old: ConnState, new: ConnState) -> None:
        """Book-keeping of every transition (called before the waiters wake)."""
        if new is ConnState.CONNECTED:
            self._down_since = None
            return
        if old is ConnState.CONNECTED:
            if self._down_since is None:
                self._down_since = time.monotonic()
            # Publishes waiting on this connection hear of its loss now.
            self._acks.fail_all(BrokerUnavailable("MQTT connection lost"))
        if new in DOWN:
            self._subs.connection_over()

    def _connection_over(self) -> None:
        """The current connection ended (by stop() too)."""
        if self.state not in ENDING:
            self._conn.enter(ConnState.BACKING_OFF)
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    def _on_lost(self, reason: str) -> None:
        """The driver dropped the connection itself (paho raised)."""
        if self.connected:
            log.warning("MQTT connection dropped: %s", reason)
        self._connection_over()

    # -- paho callbacks: wrapped and short. All run on the loop (from the driver), except
    # on_socket_open, which connect() calls in its worker thread. ----------------------

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any,
                    reason_code: Any, _properties: Any) -> None:
        try:
            if reason_code.is_failure:
                log.error("MQTT broker %s:%d refused the connection: %s",
                          self._cfg.host, self._cfg.port, reason_code)
                return
            if self.state is not ConnState.CONNECTING:
                return  # stop() came first
            topics = list(self._subs.topics.items())
            # The broker forgets subscriptions with a clean session; renew them every time.
            # The claim is subscribed first and published after: the broker hands us the
            # claim retained from before, then ours (see agent.mqtt.session).
            self._claim.connected()
            self._subs.expect(client.subscribe([(self._claim.topic, 1), *topics]))
            client.publish(self._claim.topic, self._claim.token, qos=1, retain=True)
            client.publish(self.status_topic, "online", qos=1, retain=True)
            n = self._counters.bump("reconnects")
            self._outage.connected(n, len(topics))
            self._conn.enter(ConnState.CONNECTED)
        except Exception:
            log.exception("error in MQTT on_connect")

    def _on_subscribe(self, _client: paho.Client, _userdata: Any, mid: int,
                      reason_codes: Any, _properties: Any) -> None:
        try:
            self._subs.acked(mid)
            refused = [rc for rc in reason_codes if getattr(rc, "is_failure", False)]
            if refused:
                log.warning("broker refused a subscription (message %d): %s", mid, refused)
        except Exception:
            log.exception("error in MQTT on_subscribe")

    def _on_disconnect(self, _client: paho.Client, _userdata: Any, _flags: Any,
                       reason_code: Any, _properties: Any) -> None:
        try:
            if reason_code == SESSION_TAKEN_OVER:
                self._claim.contested = True
                self._claim.taken_over("the broker says so")
            elif self.connected:
                # Once a rival is known, its takeovers were said already (SessionClaim).
                log.log(logging.DEBUG if self._claim.contested else logging.WARNING,
                        "MQTT connection lost (client id %r): %s", self._client_id,
                        reason_code)
            self._connection_over()
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
