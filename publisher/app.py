"""The node service: a fixed-rate sampling loop feeding an MQTT connection."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from publisher.config import PublisherConfig
from publisher.sampling import SensorSlot
from sensormesh import package_version
from sensormesh.contract import (
    READINGS_QOS,
    STATUS_QOS,
    Reading,
    Status,
    encode_readings,
    offline_payload,
    reading_topic,
    status_topic,
)
from sensormesh.mqtt import ConnectionLoop, new_client

log = logging.getLogger(__name__)

SHUTDOWN_PUBLISH_TIMEOUT_S = 5.0


class NodeLink:
    """The node's MQTT session: readings out, availability retained, offline as last will."""

    def __init__(self, config: PublisherConfig, status: Callable[[], Status]) -> None:
        self._config = config
        self._status = status
        self.client = new_client(config.mqtt, client_id=f"sensormesh-node-{config.device}")
        self.client.will_set(
            status_topic(config.device), offline_payload(), qos=STATUS_QOS, retain=True
        )
        self.loop = ConnectionLoop(self.client, config.mqtt, on_connected=self.publish_status)

    def publish_status(self) -> None:
        payload = self._status().to_payload()
        self.client.publish(status_topic(self._config.device), payload, qos=STATUS_QOS, retain=True)

    def publish_reading(self, sensor: str, reading: Reading) -> None:
        topic = reading_topic(self._config.device, sensor)
        self.client.publish(topic, encode_readings([reading]), qos=READINGS_QOS)

    def close(self) -> None:
        """Say goodbye: an explicit offline status, because a clean DISCONNECT skips the will."""
        if self.loop.connected.is_set():
            info = self.client.publish(
                status_topic(self._config.device), offline_payload(), qos=STATUS_QOS, retain=True
            )
            try:
                info.wait_for_publish(SHUTDOWN_PUBLISH_TIMEOUT_S)
            except RuntimeError as exc:
                log.warning("could not publish offline status: %s", exc)
        self.loop.stop()


class Publisher:
    def __init__(self, config: PublisherConfig, clock_ns: Callable[[], int] = time.time_ns):
        self.config = config
        self._clock_ns = clock_ns
        self.slots = [SensorSlot(sensor, time.monotonic) for sensor in config.sensors]
        self._next_seq = {slot.name: 0 for slot in self.slots}
        self.link = NodeLink(config, self.status)
        self.stop_event = threading.Event()

    def status(self) -> Status:
        return Status(
            online=True,
            ts_ns=self._clock_ns(),
            version=package_version(),
            sensors={s.name: s.config.units() for s in self.slots},
            misses={s.name: s.misses for s in self.slots},
        )

    def sample_all(self) -> list[tuple[str, Reading]]:
        """Read every sensor once; a failed sensor is skipped (and counted), not fatal."""
        taken = []
        for slot in self.slots:
            values = slot.sample()
            if values is None:
                continue
            seq = self._next_seq[slot.name]
            self._next_seq[slot.name] = seq + 1
            reading = Reading(self._clock_ns(), seq, values, self.config.tags)
            taken.append((slot.name, reading))
        return taken

    def run(self) -> None:
        log.info(
            "node %s: %d sensor(s) every %.3gs to %s:%s",
            self.config.device,
            len(self.slots),
            self.config.sample_interval_s,
            self.config.mqtt.host,
            self.config.mqtt.port,
        )
        self.link.loop.start()
        next_tick = time.monotonic()
        next_status = next_tick + self.config.status_interval_s
        try:
            while not self.stop_event.is_set():
                misses_before = [s.misses > 0 for s in self.slots]
                for sensor, reading in self.sample_all():
                    self.link.publish_reading(sensor, reading)
                now = time.monotonic()
                if now >= next_status or misses_before != [s.misses > 0 for s in self.slots]:
                    self.link.publish_status()
                    next_status = now + self.config.status_interval_s
                next_tick = _next_tick(next_tick, self.config.sample_interval_s, now)
                self.stop_event.wait(max(0.0, next_tick - time.monotonic()))
        finally:
            self.link.close()
            for slot in self.slots:
                slot.close()
            log.info("node %s stopped", self.config.device)


def _next_tick(previous: float, interval: float, now: float) -> float:
    """Keep a fixed rate; after a stall (suspend, slow sensor) skip missed ticks, don't burst."""
    following = previous + interval
    if following < now:
        skipped = int((now - following) // interval) + 1
        following += skipped * interval
    return following
