"""A small synchronous MQTT test client over TLS, for subscribing and publishing in tests."""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

WAIT_S = 30.0


@dataclass
class Received:
    messages: list[mqtt.MQTTMessage] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = WAIT_S) -> list[mqtt.MQTTMessage]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"got {len(self.messages)} of {count} messages")
                self.lock.wait(remaining)
            return list(self.messages)


class MqttTestClient:
    """Connects (or fails to) synchronously; ``connack`` holds the broker's answer."""

    def __init__(
        self,
        port: int,
        username: str | None,
        password: str | None,
        ca_cert: Path | None,
        client_id: str = "",
        host: str = "localhost",
    ) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        if username is not None:
            self.client.username_pw_set(username, password)
        if ca_cert is not None:
            self.client.tls_set_context(ssl.create_default_context(cafile=str(ca_cert)))
        self.port, self.host = port, host
        self.received = Received()
        self.connack: ReasonCode | None = None
        self.puback_reasons: dict[int, ReasonCode] = {}
        self._connected = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    def connect(self, timeout: float = WAIT_S) -> ReasonCode:
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(timeout):
            raise TimeoutError("no CONNACK")
        assert self.connack is not None
        return self.connack

    def subscribe(self, topic: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *args: done.set()
        self.client.subscribe(topic, qos=1)
        assert done.wait(WAIT_S), f"no SUBACK for {topic}"

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> ReasonCode:
        """Publish at QoS 1 and return the broker's PUBACK reason code."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(WAIT_S)
        return self.puback_reasons.pop(info.mid)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: object,
        reason: ReasonCode,
        properties: object,
    ) -> None:
        self.connack = reason
        self._connected.set()

    def _on_publish(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reason: ReasonCode,
        properties: object,
    ) -> None:
        self.puback_reasons[mid] = reason

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        with self.received.lock:
            self.received.messages.append(message)
            self.received.lock.notify_all()
