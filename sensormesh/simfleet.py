"""One simulator worker: hundreds of simulated nodes on one selector, one thread.

Each node is a real paho client with its own TLS connection, credentials, retained status
and last will, publishing v1 readings at QoS 1 like a node does. paho is driven through its
external-loop hooks (``on_socket_open`` and friends, ``loop_read/write/misc``), so a
thousand connections need a few processes, not a thousand threads. A dropped connection is
retried with the nodes' own full-jitter backoff; paho keeps unacknowledged QoS 1 readings
in memory and sends them again after reconnecting, so a broker restart loses nothing.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import random
import selectors
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as mqtt

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
from sensormesh.mqtt import MqttSettings, backoff_delays, new_client

if TYPE_CHECKING:
    from paho.mqtt.client import SocketLike

log = logging.getLogger(__name__)

SENSOR = "sim"
MISC_EVERY_S = 1.0
CONNACK_TIMEOUT_S = 30.0
NO_MATCHING_SUBSCRIBERS = 16  # PUBACK reason: the broker had nobody to give it to


@dataclass
class Counters:
    generated: int = 0
    acked: int = 0
    connected: int = 0
    connects: int = 0
    by_device: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict[str, int]:
        return {
            "generated": self.generated,
            "acked": self.acked,
            "connected": self.connected,
            "connects": self.connects,
        }


class SimNode:
    """One simulated node: its client, its sequence numbers, its reconnect schedule."""

    def __init__(self, settings: MqttSettings, fleet: Fleet, seed: int) -> None:
        self.device = settings.username
        self.settings = settings
        self.fleet = fleet
        self.seq = 0
        self.pending: dict[int, bytes] = {}  # mid -> reading the broker has not acknowledged
        self.refused: list[bytes] = []  # PUBACKed "no matching subscribers": send again
        self.resend_at = 0.0
        self.online = False
        self.retry_at = 0.0
        self._delays = backoff_delays(settings.backoff_min_s, settings.backoff_max_s)
        self._random = random.Random(seed)
        self.client = new_client(settings, f"sensormesh-node-{self.device}")
        self.client.max_queued_messages_set(0)
        self.client.will_set(status_topic(self.device), offline_payload(), STATUS_QOS, True)
        self.client.on_socket_open = fleet.socket_opened
        self.client.on_socket_close = fleet.socket_closed
        self.client.on_socket_register_write = fleet.want_write
        self.client.on_socket_unregister_write = fleet.done_writing
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.client.on_publish = self._acked
        self.client.user_data_set(self)

    def connect(self, now: float) -> None:
        try:
            self.client.connect(self.settings.host, self.settings.port, keepalive=30)
        except (OSError, ssl.SSLError) as exc:
            log.debug("%s: cannot connect: %s", self.device, exc)
            self.retry_at = now + self._delays()
            return
        self.retry_at = now + CONNACK_TIMEOUT_S  # CONNACK or a disconnect will say sooner

    def publish_reading(self) -> None:
        temperature = 21.0 + self._random.gauss(0, 0.5)
        fields = {"temperature": round(temperature, 3), "humidity": 50.0, "pressure": 1013.25}
        reading = Reading(time.time_ns(), self.seq, fields)
        self.seq += 1
        self.fleet.counters.generated += 1
        self._send(encode_readings([reading]))

    def _send(self, payload: bytes) -> None:
        info = self.client.publish(reading_topic(self.device, SENSOR), payload, READINGS_QOS)
        self.pending[info.mid] = payload

    def resend_refused(self, now: float) -> None:
        """Like the real node: a reading nobody took (no bridge subscribed) is sent again."""
        if self.refused and self.online and now >= self.resend_at:
            waiting, self.refused = self.refused, []
            for payload in waiting:
                self._send(payload)

    def _connected(self, client: mqtt.Client, node: object, *args: Any) -> None:
        reason = args[1]
        if reason.is_failure:
            log.warning("%s: broker refused the connection: %s", self.device, reason)
            return
        self.online = True
        self.retry_at = float("inf")
        self._delays = backoff_delays(self.settings.backoff_min_s, self.settings.backoff_max_s)
        self.fleet.counters.connected += 1
        self.fleet.counters.connects += 1
        status = Status(True, time.time_ns(), "simulated", {SENSOR: {"temperature": "°C"}})
        client.publish(status_topic(self.device), status.to_payload(), STATUS_QOS, retain=True)

    def _disconnected(self, client: mqtt.Client, node: object, *args: Any) -> None:
        if self.online:
            self.fleet.counters.connected -= 1
        self.online = False
        self.retry_at = time.monotonic() + self._delays()

    def _acked(self, client: mqtt.Client, node: object, mid: int, *args: Any) -> None:
        payload = self.pending.pop(mid, None)
        if payload is None:
            return
        if args and args[0].value == NO_MATCHING_SUBSCRIBERS:
            self.refused.append(payload)
            self.resend_at = time.monotonic() + self._random.uniform(0.5, 1.5)
            return
        self.fleet.counters.acked += 1


class Fleet:
    """The selector loop for a share of the fleet (readings and statuses both count acks)."""

    def __init__(self, settings: list[MqttSettings], rate: float, seed: int = 0) -> None:
        self.selector = selectors.DefaultSelector()
        self.counters = Counters()
        self.stopping = False
        self.rate = rate
        self.nodes = [SimNode(s, self, seed + i) for i, s in enumerate(settings)]

    # paho's external-loop hooks --------------------------------------------------------

    def socket_opened(self, client: mqtt.Client, node: Any, sock: SocketLike) -> None:
        self.selector.register(sock, selectors.EVENT_READ, node)

    def socket_closed(self, client: mqtt.Client, node: Any, sock: SocketLike) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(sock)

    def want_write(self, client: mqtt.Client, node: Any, sock: SocketLike) -> None:
        self.selector.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, node)

    def done_writing(self, client: mqtt.Client, node: Any, sock: SocketLike) -> None:
        self.selector.modify(sock, selectors.EVENT_READ, node)

    # the loop --------------------------------------------------------------------------

    def run(
        self, until: Callable[[], bool], report: Callable[[Counters], None], report_s: float
    ) -> None:
        """Publish on schedule until ``until()`` is true, calling ``report`` every ``report_s``."""
        now = time.monotonic()
        period = 1.0 / self.rate
        due = [(now + period * i / len(self.nodes), i) for i in range(len(self.nodes))]
        heapq.heapify(due)
        for node in self.nodes:
            node.connect(now)
        next_misc, next_report = now + MISC_EVERY_S, now + report_s
        while not until():
            now = time.monotonic()
            self._service(max(0.0, min(due[0][0], next_misc, next_report) - now))
            now = time.monotonic()
            while due and due[0][0] <= now:
                at, index = heapq.heappop(due)
                self.nodes[index].publish_reading()
                heapq.heappush(due, (max(at + period, now), index))  # late: skip, no burst
            if now >= next_misc:
                self._misc(now)
                next_misc = now + MISC_EVERY_S
            if now >= next_report:
                report(self.counters)
                next_report = now + report_s

    def drain(self, timeout: float, report: Callable[[Counters], None]) -> None:
        """Stop generating; wait for every reading to be acknowledged; leave with an offline."""
        self.stopping = True
        deadline = time.monotonic() + timeout
        while self._unacked() and time.monotonic() < deadline:
            self._service(0.2)
            self._misc(time.monotonic(), reconnect=True)
        for node in self.nodes:
            if node.online:
                node.client.publish(status_topic(node.device), offline_payload(), 1, True)
        end = time.monotonic() + 5
        while self._unacked() and time.monotonic() < end:
            self._service(0.1)
        for node in self.nodes:
            node.client.disconnect()
            node.client.loop_write()
        self.counters.by_device = {node.device: node.seq for node in self.nodes}
        report(self.counters)

    def _unacked(self) -> bool:
        return any(node.pending or node.refused for node in self.nodes)

    def _service(self, timeout: float) -> None:
        for key, events in self.selector.select(timeout):
            node: SimNode = key.data
            if events & selectors.EVENT_READ:
                node.client.loop_read(100)
                sock = node.client.socket()
                while isinstance(sock, ssl.SSLSocket) and sock.pending():
                    node.client.loop_read(100)
            if events & selectors.EVENT_WRITE and node.client.socket() is not None:
                node.client.loop_write()

    def _misc(self, now: float, reconnect: bool = True) -> None:
        for node in self.nodes:
            if node.client.socket() is not None:
                node.client.loop_misc()
            if reconnect and not node.online and node.retry_at <= now:
                node.connect(now)
            node.resend_refused(now)
