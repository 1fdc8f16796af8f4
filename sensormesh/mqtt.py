"""MQTT over TLS: connection settings and a supervised connection loop.

Certificate and hostname verification are always on; there is deliberately no setting to turn
them off. The loop reconnects with full-jitter exponential backoff so a thousand nodes do not
hammer a restarted broker in lockstep.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from sensormesh.envconfig import EnvReader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MqttSettings:
    host: str
    port: int
    username: str
    password: str
    ca_cert: Path
    keepalive_s: int = 30
    backoff_min_s: float = 0.5
    backoff_max_s: float = 30.0

    def __repr__(self) -> str:  # never let the password reach a log line
        return f"MqttSettings(host={self.host!r}, port={self.port}, username={self.username!r})"


def read_mqtt_settings(env: EnvReader, default_username: str) -> MqttSettings:
    ca_cert = Path(env.text("MQTT_CA_CERT"))
    if env.env.get("MQTT_CA_CERT") and not ca_cert.is_file():
        env.problems.append(f"MQTT_CA_CERT={str(ca_cert)!r} is not a readable file")
    return MqttSettings(
        host=env.text("MQTT_HOST"),
        port=env.integer("MQTT_PORT", 8883, 1, 65535),
        username=env.text("MQTT_USERNAME", default_username),
        password=env.text("MQTT_PASSWORD"),
        ca_cert=ca_cert,
        keepalive_s=env.integer("MQTT_KEEPALIVE_S", 30, 5, 3600),
        backoff_max_s=env.seconds("MQTT_BACKOFF_MAX_S", 30.0, 0.1),
    )


def tls_context(ca_cert: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_cert))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def new_client(settings: MqttSettings, client_id: str, *, manual_ack: bool = False) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        reconnect_on_failure=False,
        manual_ack=manual_ack,
    )
    client.username_pw_set(settings.username, settings.password)
    client.tls_set_context(tls_context(settings.ca_cert))
    # The network loop runs in ConnectionLoop's thread. Without a socket-write hook paho
    # would write to the TLS socket from whichever thread calls publish() or ack(); with
    # one, it only queues the packet and wakes the loop thread, which does the writing.
    client.on_socket_register_write = _leave_writes_to_loop_thread
    return client


def _leave_writes_to_loop_thread(client: mqtt.Client, userdata: object, sock: object) -> None:
    return None


def backoff_delays(minimum: float, maximum: float) -> Callable[[], float]:
    """Full-jitter exponential backoff: each call gives the next delay; reset by recreating."""
    attempt = 0

    def next_delay() -> float:
        nonlocal attempt
        ceiling = min(maximum, minimum * 2**attempt)
        attempt = min(attempt + 1, 32)
        return random.uniform(minimum / 2, ceiling)

    return next_delay


class ConnectionLoop:
    """Keeps one paho client connected until ``stop()``; never raises on broker outages."""

    def __init__(
        self,
        client: mqtt.Client,
        settings: MqttSettings,
        on_connected: Callable[[], None] = lambda: None,
        on_disconnected: Callable[[], None] = lambda: None,
        connect_properties: Properties | None = None,
        clean_start: bool = True,
    ) -> None:
        self.client = client
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        client.on_connect = self._handle_connack
        client.on_disconnect = self._handle_disconnect
        self.settings = settings
        self.connect_properties = connect_properties
        self.clean_start = clean_start
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mqtt", daemon=True)
        self._last_error = ""
        self.sessions = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.client.disconnect()
        self._thread.join(timeout)

    def _run(self) -> None:
        delays = backoff_delays(self.settings.backoff_min_s, self.settings.backoff_max_s)
        while not self.stopping.is_set():
            if self._connect_once():
                if self.stopping.is_set():
                    self.client.disconnect()
                sessions_before = self.sessions
                self.client.loop_forever(retry_first_connection=False)
                if self.sessions != sessions_before:
                    delays = backoff_delays(
                        self.settings.backoff_min_s, self.settings.backoff_max_s
                    )
            if not self.stopping.is_set():
                self.stopping.wait(delays())

    def _connect_once(self) -> bool:
        try:
            self.client.connect(
                self.settings.host,
                self.settings.port,
                keepalive=self.settings.keepalive_s,
                clean_start=self.clean_start,
                properties=self.connect_properties,
            )
        except (OSError, ssl.SSLError, ValueError) as exc:
            self.report_error(f"cannot connect to {self.settings.host}:{self.settings.port}: {exc}")
            return False
        return True

    def report_error(self, message: str) -> None:
        """Log a connection problem once, not once per retry."""
        if message != self._last_error:
            log.warning("%s (retrying with backoff)", message)
            self._last_error = message

    def _handle_connack(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            self.report_error(f"broker {self.settings.host} refused the connection: {reason}")
            return
        if self._last_error:
            log.info("connected to %s:%s", self.settings.host, self.settings.port)
        else:
            log.debug("connected to %s:%s", self.settings.host, self.settings.port)
        self._last_error = ""
        self.sessions += 1
        self.connected.set()
        self.on_connected()

    def _handle_disconnect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self.connected.clear()
        self.on_disconnected()
        if not self.stopping.is_set():
            self.report_error(f"disconnected from {self.settings.host}: {reason}")
