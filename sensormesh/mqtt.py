"""MQTT over TLS: connection settings and a supervised connection loop.

Certificate and hostname verification are always on; there is deliberately no setting to turn
them off. The loop reconnects with full-jitter exponential backoff so a thousand nodes do not
hammer a restarted broker in lockstep.
"""

from __future__ import annotations

import base64
import binascii
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

PEM_MARKER = "-----BEGIN CERTIFICATE-----"


@dataclass(frozen=True)
class MqttSettings:
    host: str
    port: int
    username: str
    password: str
    ca_pem: str
    keepalive_s: int = 30
    backoff_min_s: float = 0.5
    backoff_max_s: float = 30.0

    def __repr__(self) -> str:  # never let the password reach a log line
        return f"MqttSettings(host={self.host!r}, port={self.port}, username={self.username!r})"


def read_mqtt_settings(env: EnvReader, default_username: str) -> MqttSettings:
    return MqttSettings(
        host=env.text("MQTT_HOST"),
        port=env.integer("MQTT_PORT", 8883, 1, 65535),
        username=env.text("MQTT_USERNAME", default_username),
        password=env.text("MQTT_PASSWORD"),
        ca_pem=_read_ca(env),
        keepalive_s=env.integer("MQTT_KEEPALIVE_S", 30, 5, 3600),
        backoff_max_s=env.seconds("MQTT_BACKOFF_MAX_S", 30.0, 0.1),
    )


def _read_ca(env: EnvReader) -> str:
    """MQTT_CA_CERT is a file path, the PEM text itself, or base64 of the PEM.

    balena variables are single strings, so inline and base64 forms let a fleet variable
    carry the CA without a file on the device.
    """
    raw = env.text("MQTT_CA_CERT")
    if not raw:
        return ""
    pem = _ca_text(raw)
    if pem is None:
        env.problems.append(
            "MQTT_CA_CERT must be a readable file path, a PEM certificate, or base64 of one"
        )
        return ""
    try:
        tls_context(pem)
    except ssl.SSLError as exc:
        env.problems.append(f"MQTT_CA_CERT does not hold a usable CA certificate: {exc}")
    return pem


def _ca_text(raw: str) -> str | None:
    if raw.startswith(PEM_MARKER):
        return raw.replace("\\n", "\n")  # a dashboard may turn newlines into "\n"
    try:
        return Path(raw).read_text()
    except (OSError, UnicodeDecodeError):
        pass  # not a readable file (or too long to be a path): try base64
    try:
        decoded = base64.b64decode(raw, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if decoded.startswith(PEM_MARKER) else None


def tls_context(ca_pem: str) -> ssl.SSLContext:
    """Verify the broker's certificate and hostname, always; there is no switch to turn it off."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=ca_pem)
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
    client.tls_set_context(tls_context(settings.ca_pem))
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
