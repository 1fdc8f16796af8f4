"""Bridge configuration: read once from the environment into one typed, frozen object."""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from sensormesh.envconfig import EnvReader
from sensormesh.mqtt import MqttSettings, read_mqtt_settings

MQTT_RECEIVE_MAXIMUM_LIMIT = 65_535
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class InfluxSettings:
    url: str
    token: str
    org: str
    bucket: str
    measurement: str
    status_measurement: str
    timeout_s: float

    def __repr__(self) -> str:  # the token never reaches a log line
        return f"InfluxSettings(url={self.url!r}, org={self.org!r}, bucket={self.bucket!r})"


@dataclass(frozen=True)
class BridgeConfig:
    bridge_id: str
    group: str
    mqtt: MqttSettings
    influx: InfluxSettings
    batch_size: int
    flush_interval_s: float
    session_expiry_s: int
    retry_max_s: float
    log_level: str
    health_bind: str
    health_port: int
    stall_timeout_s: float
    metrics_interval_s: float

    @property
    def receive_maximum(self) -> int:
        """Enough unacked messages in flight for a full batch, so a batch can fill."""
        return min(MQTT_RECEIVE_MAXIMUM_LIMIT, max(self.batch_size * 2, 100))


def load_bridge_config(env: Mapping[str, str]) -> BridgeConfig:
    reader = EnvReader(env)
    bridge_id = reader.text("BRIDGE_ID", f"sensormesh-bridge-{socket.gethostname()}")
    group = reader.text("BRIDGE_GROUP", "bridge")
    for name, value in (("BRIDGE_ID", bridge_id), ("BRIDGE_GROUP", group)):
        if not _NAME.fullmatch(value):
            reader.problems.append(f"{name}={value!r} must be 1-64 of A-Z a-z 0-9 _ . -")
    influx = InfluxSettings(
        url=reader.text("INFLUX_URL"),
        token=reader.text("INFLUX_TOKEN"),
        org=reader.text("INFLUX_ORG", "-"),
        bucket=reader.text("INFLUX_BUCKET"),
        measurement=reader.text("INFLUX_MEASUREMENT", "readings"),
        status_measurement=reader.text("INFLUX_STATUS_MEASUREMENT", "device_status"),
        timeout_s=reader.seconds("INFLUX_TIMEOUT_S", 10.0, minimum=0.1),
    )
    if influx.url and not influx.url.startswith(("http://", "https://")):
        reader.problems.append(f"INFLUX_URL={influx.url!r} must start with http:// or https://")
    for name, value in (
        ("INFLUX_MEASUREMENT", influx.measurement),
        ("INFLUX_STATUS_MEASUREMENT", influx.status_measurement),
    ):
        if not _NAME.fullmatch(value):
            reader.problems.append(f"{name}={value!r} must be 1-64 of A-Z a-z 0-9 _ . -")
    log_level = reader.log_level()
    config = BridgeConfig(
        bridge_id=bridge_id,
        group=group,
        mqtt=read_mqtt_settings(reader, default_username="bridge"),
        influx=influx,
        batch_size=reader.integer("BATCH_SIZE", 5000, 1, MQTT_RECEIVE_MAXIMUM_LIMIT),
        flush_interval_s=reader.seconds("FLUSH_INTERVAL_S", 1.0, minimum=0.01),
        session_expiry_s=reader.integer("SESSION_EXPIRY_S", 7 * 86_400, 60, 2**32 - 1),
        retry_max_s=reader.seconds("INFLUX_RETRY_MAX_S", 30.0, minimum=0.1),
        log_level=log_level,
        # 0.0.0.0: a container's health check comes from outside the container.
        health_bind=reader.text("HEALTH_BIND", "0.0.0.0"),  # noqa: S104
        health_port=reader.integer("HEALTH_PORT", 8080, 0, 65535),
        stall_timeout_s=reader.seconds("STALL_TIMEOUT_S", 120.0, minimum=1.0),
        metrics_interval_s=reader.seconds("METRICS_INTERVAL_S", 10.0, minimum=0.0),
    )
    reader.raise_if_problems()
    return config
