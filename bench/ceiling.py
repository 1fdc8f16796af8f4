"""The ceiling: a bare paho subscriber that only counts and acknowledges.

Same client factory, TLS, MQTT v5 persistent session, shared subscription, Receive Maximum
and manual QoS 1 acknowledgement as the bridge, and nothing else: no JSON, no validation, no
database. What it reaches is what Python MQTT receive can do on this machine.

``--expect 0`` subscribes, waits for the SUBACK and leaves (to create the session that a
flood then fills). Otherwise it runs until ``--expect`` messages arrived and prints one JSON
line: count, and the wall-clock times of the first and last message and of the messages
at the ``--marks`` fractions of ``--expect``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import threading
import time
from collections.abc import Sequence

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from sensormesh.contract import bridge_subscription
from sensormesh.envconfig import EnvReader
from sensormesh.mqtt import new_client, read_mqtt_settings


def count_messages(
    client_id: str,
    group: str,
    expect: int,
    receive_max: int,
    marks: tuple[float, float],
    timeout: float,
) -> dict[str, float]:
    settings = read_mqtt_settings(EnvReader(os.environ), default_username="bridge")
    client = new_client(settings, client_id, manual_ack=True)
    subscribed, done = threading.Event(), threading.Event()
    state = {"count": 0.0, "first": 0.0, "last": 0.0, "low": 0.0, "high": 0.0}
    low, high = marks[0] * expect, marks[1] * expect

    def on_connect(*args: object) -> None:
        client.subscribe(bridge_subscription(group), qos=1)

    def on_message(c: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        now = time.time()
        if not state["count"]:
            state["first"] = now
        state["count"] += 1
        state["last"] = now
        if state["count"] == math.floor(low) + 1:  # the first count past the fraction
            state["low"] = now
        if state["count"] == math.floor(high) + 1:
            state["high"] = now
        c.ack(msg.mid, msg.qos)
        if state["count"] >= expect:
            done.set()

    client.on_connect = on_connect
    client.on_subscribe = lambda *args: subscribed.set()
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 3600
    properties.ReceiveMaximum = receive_max
    client.connect(
        settings.host, settings.port, keepalive=60, clean_start=False, properties=properties
    )
    thread = threading.Thread(target=client.loop_forever, daemon=True)
    thread.start()
    if not subscribed.wait(30):
        raise TimeoutError("ceiling: no SUBACK")
    print("subscribed", flush=True)
    if expect:
        done.wait(timeout)
    client.disconnect()
    thread.join(10)
    return state


def _marks(text: str) -> tuple[float, float]:
    low, high = (float(part) for part in text.split(","))
    return low, high


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--group", default="ceiling")
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--receive-maximum", type=int, required=True, help="the bridge's")
    parser.add_argument("--marks", default="0.1,0.75", help="fractions to time, e.g. 0.1,0.9")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    result = count_messages(
        args.client_id,
        args.group,
        args.expect,
        args.receive_maximum,
        _marks(args.marks),
        args.timeout,
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
