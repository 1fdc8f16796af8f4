"""The bridge: MQTT v5 shared subscription in, InfluxDB batches out, ack after write.

paho's network thread only validates and queues; the main thread batches, writes and then
acknowledges. A message is acknowledged only after the batch holding it is stored, so a crash
at any point leaves it in the broker's persistent session to be delivered again, and the
device's own timestamp makes that second write overwrite the first instead of duplicating.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from bridge.config import BridgeConfig
from bridge.health import HealthReport, HealthServer
from bridge.intake import PendingMessage, RejectionLog, dead_letter_payload, message_lines
from bridge.telemetry import BridgeCounters, health_report, metrics_line
from bridge.writer import InfluxWriter, Rejected, TransientWriteError
from sensormesh.contract import DEADLETTER_TOPIC, InvalidMessage, bridge_subscription
from sensormesh.mqtt import ConnectionLoop, backoff_delays, new_client

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 10.0


class Bridge:
    def __init__(
        self,
        config: BridgeConfig,
        writer: InfluxWriter,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.config = config
        self.writer = writer
        self.counters = BridgeCounters()
        self.rejections = RejectionLog()
        self._clock_ns = clock_ns
        self._pending: deque[PendingMessage] = deque()
        self._pending_lines = 0
        self._wakeup = threading.Condition()
        self._stopping = threading.Event()
        self._started = time.monotonic()
        self._next_metrics = self._started + config.metrics_interval_s
        self.client = new_client(config.mqtt, config.bridge_id, manual_ack=True)
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.loop = ConnectionLoop(
            self.client,
            config.mqtt,
            on_connected=self._subscribe,
            connect_properties=self._connect_properties(),
            clean_start=False,  # paho's v5 default would wipe the session on every start
        )

    def _connect_properties(self) -> Properties:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self.config.session_expiry_s
        properties.ReceiveMaximum = self.config.receive_maximum
        return properties

    def _subscribe(self) -> None:
        self.client.subscribe(bridge_subscription(self.config.group), qos=1)

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        topic = bridge_subscription(self.config.group)
        if any(reason.is_failure for reason in reasons):
            log.error(
                "broker refused subscription %s: %s (check the bridge user's ACL)",
                topic,
                ", ".join(str(r) for r in reasons),
            )
        else:
            log.info("subscribed to %s", topic)

    # paho's network thread -------------------------------------------------------------

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        payload = bytes(msg.payload)
        if self._stopping.is_set():
            return  # left unacked: the broker keeps it for our next session
        session = self.loop.sessions
        self.counters.received += 1
        try:
            lines = message_lines(self.config.influx, msg.topic, payload, self._clock_ns())
        except InvalidMessage as error:
            self._dead_letter(msg.topic, payload, error)
            self.client.ack(msg.mid, msg.qos)
            return
        pending = PendingMessage(
            msg.mid, session, msg.topic, payload, tuple(lines), time.monotonic()
        )
        with self._wakeup:
            self._pending.append(pending)
            self._pending_lines += len(lines)
            # Wake the writer to start the flush clock, or because the batch is full.
            if len(self._pending) == 1 or self._pending_lines >= self.config.batch_size:
                self._wakeup.notify()

    def _dead_letter(self, topic: str, payload: bytes, error: InvalidMessage) -> None:
        self.rejections.record(topic, error)
        self.counters.deadlettered += 1
        body = dead_letter_payload(topic, payload, error.cause, str(error), self.config.bridge_id)
        self.client.publish(DEADLETTER_TOPIC, body, qos=1)

    # main thread -----------------------------------------------------------------------

    def request_stop(self) -> None:
        """Safe to call from a signal handler: the condition's lock is re-entrant."""
        self._stopping.set()
        with self._wakeup:
            self._wakeup.notify()

    def run(self) -> None:
        log.info(
            "bridge %s: group %s, broker %s:%s, InfluxDB %s bucket %s",
            self.config.bridge_id,
            self.config.group,
            self.config.mqtt.host,
            self.config.mqtt.port,
            self.config.influx.url,
            self.config.influx.bucket,
        )
        health = self._health_server()
        self.loop.start()
        try:
            while (batch := self._next_batch()) is not None:
                if batch and self._store(batch):
                    self._acknowledge(batch)
                self._write_metrics_when_due()
        finally:
            self.loop.stop()
            if health:
                health.stop()
            self.writer.close()
            log.info(
                "bridge stopped: %d received, %d lines written, %d dead-lettered",
                self.counters.received,
                self.counters.written,
                self.counters.deadlettered,
            )

    def health(self) -> HealthReport:
        return health_report(
            self.counters,
            self.loop.connected.is_set(),
            len(self._pending),
            self.config.stall_timeout_s,
            self._started,
        )

    def _health_server(self) -> HealthServer | None:
        if not self.config.health_port:
            return None
        server = HealthServer(self.config.health_bind, self.config.health_port, self.health)
        server.start()
        return server

    def _next_batch(self) -> list[PendingMessage] | None:
        """Wait for a full batch, the oldest message's flush deadline, or a stop request.

        Returns an empty batch when it is time for the bridge's own metrics point.
        """
        with self._wakeup:
            while not self._pending:
                if self._stopping.is_set():
                    return None
                if not self._wakeup.wait(self._until_metrics_due()):
                    return []
            deadline = self._pending[0].received_at + self.config.flush_interval_s
            while self._pending_lines < self.config.batch_size and not self._stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._wakeup.wait(remaining)
            return self._take_batch()

    def _until_metrics_due(self) -> float | None:
        if not self.config.metrics_interval_s:
            return None
        return max(0.0, self._next_metrics - time.monotonic())

    def _write_metrics_when_due(self) -> None:
        """Best effort: a failed metrics write is skipped, never retried over readings."""
        if not self.config.metrics_interval_s or time.monotonic() < self._next_metrics:
            return
        self._next_metrics = time.monotonic() + self.config.metrics_interval_s
        line = metrics_line(
            self.config.bridge_id, self.counters, len(self._pending), self._clock_ns()
        )
        try:
            self.writer.write([line])
        except TransientWriteError as exc:
            log.debug("metrics point skipped: %s", exc)

    def _take_batch(self) -> list[PendingMessage]:
        batch: list[PendingMessage] = []
        lines = 0
        while self._pending and (
            not batch or lines + len(self._pending[0].lines) <= self.config.batch_size
        ):
            message = self._pending.popleft()
            batch.append(message)
            lines += len(message.lines)
        self._pending_lines -= lines
        return batch

    def _store(self, batch: list[PendingMessage]) -> bool:
        """Write until it lands. False only when stopping ran out of grace mid-outage."""
        lines = [line for message in batch for line in message.lines]
        delays = backoff_delays(0.2, self.config.retry_max_s)
        outage_started: float | None = None
        give_up_at: float | None = None
        while True:
            started = time.monotonic()
            try:
                rejected = self.writer.write(lines)
                break
            except TransientWriteError as exc:
                if outage_started is None:
                    outage_started = started
                    log.warning(
                        "InfluxDB write failed, holding %d messages unacked: %s", len(batch), exc
                    )
            if self._stopping.is_set():
                give_up_at = give_up_at or started + SHUTDOWN_GRACE_S
                if time.monotonic() >= give_up_at:
                    log.warning(
                        "stopping during an InfluxDB outage: %d messages stay in the"
                        " broker for the next run",
                        len(batch) + len(self._pending),
                    )
                    return False
                time.sleep(min(delays(), 1.0))
            else:
                self._stopping.wait(delays())
        self.counters.record_write(len(lines) - len(rejected), started)
        if outage_started is not None:
            log.info(
                "InfluxDB writes recovered after %.1fs; %d messages were waiting",
                time.monotonic() - outage_started,
                len(batch) + len(self._pending),
            )
        self._dead_letter_rejected(batch, rejected)
        return True

    def _dead_letter_rejected(self, batch: list[PendingMessage], rejected: list[Rejected]) -> None:
        owners = [message for message in batch for _ in message.lines]
        for item in rejected:
            message = owners[item.index]
            self._dead_letter(
                message.topic, message.payload, InvalidMessage("influx_rejected", item.reason)
            )

    def _acknowledge(self, batch: list[PendingMessage]) -> None:
        session = self.loop.sessions
        for message in batch:
            # A packet id from an earlier connection may now name another message.
            if message.session == session:
                self.client.ack(message.mid, 1)
                self.counters.acked += 1
