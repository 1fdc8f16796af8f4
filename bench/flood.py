"""A flood publisher: one device, QoS 1 over TLS, as fast as the broker acknowledges.

Not the node's sampling loop: this only exists to fill the broker faster than any consumer
can drain it. Payloads are real v1 readings (``encode_readings``) with distinct, increasing
device timestamps, built before connecting so the flood itself is only MQTT work.
Credentials come from the ``MQTT_*`` environment, like the services. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Sequence

from sensormesh.contract import READINGS_QOS, Reading, encode_readings, reading_topic
from sensormesh.envconfig import EnvReader
from sensormesh.mqtt import new_client, read_mqtt_settings

FIELDS = {"temperature": 21.375, "humidity": 48.25, "pressure": 1013.125}
TS_STEP_NS = 1_000  # timestamps are sent with microseconds


def flood_payloads(count: int, first_seq: int, start_ns: int) -> list[bytes]:
    fields = dict(FIELDS)
    payloads = []
    for i in range(count):
        fields["temperature"] = 21.0 + (i % 1000) / 1000
        reading = Reading(start_ns + i * TS_STEP_NS, first_seq + i, dict(fields))
        payloads.append(encode_readings([reading]))
    return payloads


def run_flood(count: int, sensor: str, start_ns: int, inflight: int) -> dict[str, float]:
    settings = read_mqtt_settings(EnvReader(os.environ), default_username="")
    device = settings.username
    payloads = flood_payloads(count, 0, start_ns)
    topic = reading_topic(device, sensor)
    client = new_client(settings, client_id=f"flood-{device}-{os.getpid()}")
    client.max_inflight_messages_set(inflight)
    client.max_queued_messages_set(0)
    connected, all_acked = threading.Event(), threading.Event()
    acked = 0

    def on_publish(*args: object) -> None:
        nonlocal acked
        acked += 1
        if acked == count:
            all_acked.set()

    client.on_connect = lambda *args: connected.set()
    client.on_publish = on_publish
    client.connect(settings.host, settings.port, keepalive=60)
    client.loop_start()
    if not connected.wait(30):
        raise TimeoutError("flood: no CONNACK")
    started = time.monotonic()
    for payload in payloads:
        client.publish(topic, payload, qos=READINGS_QOS)
    if not all_acked.wait(600):
        raise TimeoutError(f"flood: only {acked} of {count} acknowledged")
    seconds = time.monotonic() - started
    client.disconnect()
    client.loop_stop()
    return {"published": float(count), "seconds": round(seconds, 3)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--sensor", default="flood")
    parser.add_argument("--start-ns", type=int, default=0, help="first reading's timestamp")
    parser.add_argument("--inflight", type=int, default=500)
    args = parser.parse_args(argv)
    start_ns = args.start_ns or time.time_ns() - args.count * TS_STEP_NS
    result = run_flood(args.count, args.sensor, start_ns, args.inflight)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
