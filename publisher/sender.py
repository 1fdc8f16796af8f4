"""Draining the outbox into MQTT: oldest first, a bounded window in flight, delete on PUBACK.

paho is not a queue: its packet ids wrap at 65535 without checking which are still in
flight, and a non-zero in-flight limit makes every ack scan its queue. So the backlog stays in
the outbox and at most ``WINDOW_MESSAGES`` messages are inside paho at once. A backlog is
sent as JSON arrays of up to ``MAX_READINGS_PER_MESSAGE`` readings of one sensor, so a long
outage drains quickly while new readings keep being added behind it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from publisher.outbox import Outbox, StoredReading
from sensormesh.contract import READINGS_QOS, reading_topic
from sensormesh.mqtt import backoff_delays

log = logging.getLogger(__name__)

WINDOW_MESSAGES = 500  # below Mosquitto's receive maximum (max_inflight_messages 1000)
MAX_READINGS_PER_MESSAGE = 200
MAX_MESSAGE_BYTES = 64 * 1024
FETCH_ROWS = 5000
HOUSEKEEPING_S = 1.0  # how often the sender looks at timers (retry, batched deletes)
# Acked rows are deleted in batches: each delete is an fsynced commit, and a crash before it
# only means a resend that overwrites itself. At the default 10 s interval this is one
# delete per 30 readings instead of one per reading (docs/reliability.md).
DELETE_EVERY_S = 300.0

DELETE_BATCH = 500

NO_MATCHING_SUBSCRIBERS = 16  # MQTT v5 PUBACK reason: nobody (no bridge) got it
RETRY_MIN_S = 1.0
RETRY_MAX_S = 30.0


@dataclass(frozen=True)
class OutgoingMessage:
    sensor: str
    row_ids: tuple[int, ...]
    payload: bytes


@dataclass
class _Group:
    sensor: str
    row_ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    size: int = 2

    def fits(self, text: str) -> bool:
        return (
            len(self.row_ids) < MAX_READINGS_PER_MESSAGE
            and self.size + len(text) + 1 <= MAX_MESSAGE_BYTES
        )

    def message(self) -> OutgoingMessage:
        body = self.texts[0] if len(self.texts) == 1 else "[" + ",".join(self.texts) + "]"
        return OutgoingMessage(self.sensor, tuple(self.row_ids), body.encode())


def group_into_messages(
    rows: list[StoredReading], max_messages: int
) -> tuple[list[OutgoingMessage], int]:
    """Pack a prefix of ``rows`` into at most ``max_messages`` messages, one sensor each.

    Returns the messages and the last row id they cover: every row up to it is in exactly
    one message, none after it, so sending can resume right behind it.
    """
    groups: list[_Group] = []
    open_groups: dict[str, _Group] = {}
    last_id = 0
    for row in rows:
        group = open_groups.get(row.sensor)
        if group is None or not group.fits(row.reading_json):
            if len(groups) >= max_messages:
                break
            group = open_groups[row.sensor] = _Group(row.sensor)
            groups.append(group)
        group.row_ids.append(row.row_id)
        group.texts.append(row.reading_json)
        group.size += len(row.reading_json) + 1
        last_id = row.row_id
    return [group.message() for group in groups], last_id


class OutboxSender:
    def __init__(self, outbox: Outbox, client: mqtt.Client, device: str) -> None:
        self.outbox = outbox
        self.client = client
        self.device = device
        self.rejected_by_broker = 0
        self._wake = threading.Condition()
        self._inflight: list[tuple[mqtt.MQTTMessageInfo, tuple[int, ...]]] = []
        self._acked: list[int] = []
        self._sent_upto = 0
        self._connected = False
        self._rewind = False
        self._new_rows = True
        self._acks_arrived = False
        self._stopping = False
        self._refused: set[int] = set()
        self._retry_at: float | None = None
        self._retry_delay = backoff_delays(RETRY_MIN_S, RETRY_MAX_S)
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        client.max_inflight_messages_set(0)  # our window bounds it; paho's limit would queue
        client.on_publish = self._on_publish

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self._thread.join(timeout)
        self._remove_acked(self._acked + self._take_published())
        self._acked = []

    def drain(self, timeout: float) -> bool:
        """On shutdown: wait until everything in the outbox is acknowledged, or ``timeout``."""
        with self._wake:
            return self._wake.wait_for(
                lambda: (
                    not self._connected
                    or (not self._inflight and not self._new_rows and not self._rewind)
                ),
                timeout,
            )

    def rows_added(self) -> None:
        with self._wake:
            self._new_rows = True
            self._wake.notify_all()

    def connected(self) -> None:
        """A new connection: resend everything not yet acknowledged, oldest first."""
        with self._wake:
            self._connected = True
            self._rewind = True
            self._wake.notify_all()

    def disconnected(self) -> None:
        with self._wake:
            self._connected = False

    def _on_publish(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reason: ReasonCode,
        properties: Properties,
    ) -> None:
        if reason.value == NO_MATCHING_SUBSCRIBERS:
            with self._wake:
                self._refused.add(mid)  # paho marks it published right after this callback
        elif reason.is_failure:
            self.rejected_by_broker += 1
            log.error(
                "broker refused a reading (%s): check that the ACL lets %s write %s",
                reason,
                self.device,
                reading_topic(self.device, "#"),
            )
        with self._wake:
            self._acks_arrived = True
            self._wake.notify_all()

    def _run(self) -> None:
        next_delete = time.monotonic() + DELETE_EVERY_S
        while True:
            with self._wake:
                self._wake.wait_for(self._has_work, timeout=HOUSEKEEPING_S)
                if self._stopping:
                    return
                self._acks_arrived = False
                published = self._take_published()
                self._wake.notify_all()  # a drain() may be waiting for the window to empty
                if self._retry_at is not None and time.monotonic() >= self._retry_at:
                    self._retry_at = None
                    self._rewind = True
                rewind, self._rewind = self._rewind, False
                room = WINDOW_MESSAGES - len(self._inflight) if self._connected else 0
            self._acked.extend(published)
            if rewind or len(self._acked) >= DELETE_BATCH or time.monotonic() >= next_delete:
                self._remove_acked(self._acked)
                self._acked = []
                next_delete = time.monotonic() + DELETE_EVERY_S
            if rewind:
                with self._wake:
                    self._inflight.clear()
                    self._refused.clear()
                self._sent_upto = 0
            if room > 0 or rewind:
                self._send_more(WINDOW_MESSAGES if rewind else room)

    def _has_work(self) -> bool:
        waiting_for_subscriber = self._retry_at is not None
        if waiting_for_subscriber and time.monotonic() >= self._retry_at:  # type: ignore[operator]
            return True
        can_send = (
            self._connected
            and self._new_rows
            and not waiting_for_subscriber
            and len(self._inflight) < WINDOW_MESSAGES
        )
        return self._stopping or self._rewind or self._acks_arrived or can_send

    def _take_published(self) -> list[int]:
        """Row ids the broker accepted *and* delivered to a subscriber. Called with the lock.

        A PUBACK saying "no matching subscribers" means no bridge holds the reading (none
        started yet, or a restarted Mosquitto 2.0 forgot the shared subscription until the
        bridge reconnects): those rows stay in the outbox and are sent again after a backoff.
        """
        done = [(info, ids) for info, ids in self._inflight if info.is_published()]
        if not done:
            return []
        self._inflight = [(i, ids) for i, ids in self._inflight if not i.is_published()]
        accepted = [row_id for info, ids in done if info.mid not in self._refused for row_id in ids]
        refused = sum(len(ids) for info, ids in done if info.mid in self._refused)
        self._refused &= {info.mid for info, _ in self._inflight}  # drop stale entries
        if refused:
            self._schedule_retry(refused)
        elif accepted:
            self._retry_delay = backoff_delays(RETRY_MIN_S, RETRY_MAX_S)
        return accepted

    def _schedule_retry(self, refused: int) -> None:
        if self._retry_at is None:
            delay = self._retry_delay()
            self._retry_at = time.monotonic() + delay
            log.warning(
                "no subscriber took %d readings (is the bridge running?); they stay in"
                " the outbox, next try in %.1fs",
                refused,
                delay,
            )

    def _send_more(self, room: int) -> None:
        with self._wake:
            self._new_rows = False  # a rows_added() from now on sets it again
        rows = self.outbox.oldest_after(self._sent_upto, FETCH_ROWS)
        messages, last_id = group_into_messages(rows, room)
        for message in messages:
            topic = reading_topic(self.device, message.sensor)
            info = self.client.publish(topic, message.payload, qos=READINGS_QOS)
            with self._wake:
                self._inflight.append((info, message.row_ids))
        if messages:
            self._sent_upto = last_id
        if len(rows) == FETCH_ROWS or (rows and last_id < rows[-1].row_id):
            with self._wake:
                self._new_rows = True  # more rows wait behind a full fetch or a full window

    def _remove_acked(self, row_ids: list[int]) -> None:
        if row_ids:
            self.outbox.remove(row_ids)
