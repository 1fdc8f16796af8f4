"""Publisher configuration: read once from the environment into one typed, frozen object."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from publisher.sensors.base import SensorConfig
from publisher.sensors.registry import interval_problems, parse_sensors
from sensormesh.contract import KEY_NAME, RESERVED_TAGS, TAG_VALUE, validate_device_name
from sensormesh.envconfig import EnvReader
from sensormesh.mqtt import MqttSettings, read_mqtt_settings


@dataclass(frozen=True)
class PublisherConfig:
    device: str
    mqtt: MqttSettings
    sensors: tuple[SensorConfig, ...]
    sample_interval_s: float
    status_interval_s: float
    tags: Mapping[str, str]
    log_level: str
    buffer_path: Path
    buffer_max_readings: int


def load_sensor_configs(env: Mapping[str, str]) -> tuple[tuple[SensorConfig, ...], str]:
    """Only ``SENSORS`` and ``LOG_LEVEL``: ``--once`` must work on a Pi with no broker yet."""
    reader = EnvReader(env)
    sensors, sensor_problems = parse_sensors(reader.text("SENSORS", "mock"))
    reader.problems.extend(sensor_problems)
    log_level = reader.log_level()
    reader.raise_if_problems()
    return tuple(sensors), log_level


def load_publisher_config(env: Mapping[str, str]) -> PublisherConfig:
    """Raise ConfigError listing every problem; nothing here touches the network."""
    reader = EnvReader(env)
    device = (
        reader.optional("DEVICE_NAME")
        or reader.optional("BALENA_DEVICE_NAME_AT_INIT")
        or socket.gethostname()
    )
    reader.check(validate_device_name(device))
    mqtt = read_mqtt_settings(reader, default_username=device)
    sensors, sensor_problems = parse_sensors(reader.text("SENSORS", "mock"))
    reader.problems.extend(sensor_problems)
    tags = reader.key_values("TAGS")
    for key, value in tags.items():
        if not KEY_NAME.fullmatch(key) or key in RESERVED_TAGS:
            reader.problems.append(f"TAGS: tag key {key!r} is not allowed")
        if not TAG_VALUE.fullmatch(value):
            reader.problems.append(f"TAGS: value of {key!r} must be printable, no backslash")
    log_level = reader.log_level()
    config = PublisherConfig(
        device=device,
        mqtt=mqtt,
        # Drivers may tell devices apart (the mock seeds its signal from device and name).
        sensors=tuple(replace(s, options={**s.options, "device": device}) for s in sensors),
        sample_interval_s=reader.seconds("SAMPLE_INTERVAL_S", 10.0, minimum=0.01),
        status_interval_s=reader.seconds("STATUS_INTERVAL_S", 60.0, minimum=1.0),
        tags=tags,
        log_level=log_level,
        buffer_path=Path(reader.text("BUFFER_PATH", str(default_buffer_path(env, device)))),
        buffer_max_readings=reader.integer("BUFFER_MAX_READINGS", 250_000, 100, 100_000_000),
    )
    reader.problems.extend(interval_problems(config.sensors, config.sample_interval_s))
    reader.raise_if_problems()
    return config


def default_buffer_path(env: Mapping[str, str], device: str) -> Path:
    """balena keeps ``/data`` across container updates; elsewhere use the user's state dir."""
    if env.get("BALENA_DEVICE_UUID") and Path("/data").is_dir():
        return Path("/data/sensormesh/outbox.sqlite")
    state_home = Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state_home / "sensormesh" / f"outbox-{device}.sqlite"
