"""The node service: a fixed-rate sampling loop feeding an MQTT connection."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from publisher.config import PublisherConfig
from publisher.outbox import Outbox
from publisher.sampling import SensorSlot
from publisher.sender import OutboxSender
from publisher.sensors.hardware import BlinkaHardware, Hardware
from sensormesh import package_version
from sensormesh.contract import (
    STATUS_QOS,
    Reading,
    Status,
    encode_readings,
    offline_payload,
    status_topic,
)
from sensormesh.mqtt import ConnectionLoop, new_client

log = logging.getLogger(__name__)

SHUTDOWN_PUBLISH_TIMEOUT_S = 5.0


class NodeLink:
    """The node's MQTT session: readings drained from the outbox, availability retained."""

    def __init__(
        self, config: PublisherConfig, outbox: Outbox, status: Callable[[], Status]
    ) -> None:
        self._config = config
        self._status = status
        self.client = new_client(config.mqtt, client_id=f"sensormesh-node-{config.device}")
        self.client.will_set(
            status_topic(config.device), offline_payload(), qos=STATUS_QOS, retain=True
        )
        self.sender = OutboxSender(outbox, self.client, config.device)
        self.loop = ConnectionLoop(
            self.client,
            config.mqtt,
            on_connected=self._on_connected,
            on_disconnected=self.sender.disconnected,
        )

    def start(self) -> None:
        self.sender.start()
        self.loop.start()

    def _on_connected(self) -> None:
        self.publish_status()
        self.sender.connected()

    def publish_status(self) -> None:
        payload = self._status().to_payload()
        self.client.publish(status_topic(self._config.device), payload, qos=STATUS_QOS, retain=True)

    def close(self) -> None:
        """Flush what is in flight, then say goodbye with an explicit offline status (a clean
        DISCONNECT skips the will). Whatever is still unsent stays in the outbox for next time."""
        if not self.sender.drain(SHUTDOWN_PUBLISH_TIMEOUT_S):
            log.info("stopping with readings still unacknowledged; they stay in the outbox")
        self.sender.stop()
        if self.loop.connected.is_set():
            info = self.client.publish(
                status_topic(self._config.device), offline_payload(), qos=STATUS_QOS, retain=True
            )
            try:
                info.wait_for_publish(SHUTDOWN_PUBLISH_TIMEOUT_S)
            except (RuntimeError, ValueError) as exc:
                log.warning("could not publish offline status: %s", exc)
        self.loop.stop()


class Publisher:
    def __init__(
        self,
        config: PublisherConfig,
        clock_ns: Callable[[], int] = time.time_ns,
        hardware: Hardware | None = None,
    ) -> None:
        self.config = config
        self._clock_ns = clock_ns
        board = hardware or BlinkaHardware()  # one I2C bus for every sensor on it
        self.slots = [SensorSlot(sensor, time.monotonic, board) for sensor in config.sensors]

        self.outbox = Outbox(config.buffer_path, config.buffer_max_readings)
        self._next_seq = self.outbox.next_seqs()
        self.link = NodeLink(config, self.outbox, self.status)
        self.stop_event = threading.Event()

    def status(self) -> Status:
        return Status(
            online=True,
            ts_ns=self._clock_ns(),
            version=package_version(),
            sensors={s.name: s.config.units() for s in self.slots},
            misses={s.name: s.misses for s in self.slots},
            dropped=self.outbox.dropped + self.link.sender.rejected_by_broker,
        )

    def sample_all(self) -> list[tuple[str, Reading]]:
        """Read every sensor once; a failed sensor is skipped (and counted), not fatal."""
        taken = []
        for slot in self.slots:
            values = slot.sample()
            if values is None:
                continue
            seq = self._next_seq.get(slot.name, 0)
            self._next_seq[slot.name] = seq + 1
            taken.append((slot.name, Reading(self._clock_ns(), seq, values, self.config.tags)))
        return taken

    def record(self, taken: list[tuple[str, Reading]]) -> None:
        """Commit this tick's readings to disk (one transaction), then let the sender know."""
        rows = [(sensor, encode_readings([r]).decode(), r.seq) for sensor, r in taken]
        dropped = self.outbox.add(rows)
        if dropped:
            log.warning(
                "outbox full (%d readings): dropped the %d oldest, %d dropped in total",
                self.outbox.max_readings,
                dropped,
                self.outbox.dropped,
            )
        self.link.sender.rows_added()

    def run(self) -> None:
        log.info(
            "node %s: %d sensor(s) every %.3gs to %s:%s, outbox %s (%d waiting)",
            self.config.device,
            len(self.slots),
            self.config.sample_interval_s,
            self.config.mqtt.host,
            self.config.mqtt.port,
            self.config.buffer_path,
            len(self.outbox),
        )
        self.link.start()
        next_tick = time.monotonic()
        next_status = next_tick + self.config.status_interval_s
        try:
            while not self.stop_event.is_set():
                failing_before = [s.misses > 0 for s in self.slots]
                self.record(self.sample_all())
                now = time.monotonic()
                if now >= next_status or failing_before != [s.misses > 0 for s in self.slots]:
                    self.link.publish_status()
                    next_status = now + self.config.status_interval_s
                next_tick = _next_tick(next_tick, self.config.sample_interval_s, now)
                self.stop_event.wait(max(0.0, next_tick - time.monotonic()))
        finally:
            self.link.close()
            for slot in self.slots:
                slot.close()
            log.info(
                "node %s stopped; %d readings wait in the outbox",
                self.config.device,
                len(self.outbox),
            )
            self.outbox.close()


def _next_tick(previous: float, interval: float, now: float) -> float:
    """Keep a fixed rate; after a stall (suspend, slow sensor) skip missed ticks, don't burst."""
    following = previous + interval
    if following < now:
        skipped = int((now - following) // interval) + 1
        following += skipped * interval
    return following
