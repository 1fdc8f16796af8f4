"""Publisher configuration: sensors and their timing rules are checked before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.config import load_publisher_config, load_sensor_configs
from sensormesh.envconfig import ConfigError


@pytest.fixture
def env(ca_cert: Path) -> dict[str, str]:
    ca = ca_cert
    return {
        "DEVICE_NAME": "node-1",
        "MQTT_HOST": "collector.local",
        "MQTT_PASSWORD": "pw-for-test",
        "MQTT_CA_CERT": str(ca),
    }


def test_hardware_sensors_load_without_touching_hardware(env: dict[str, str]) -> None:
    env["SENSORS"] = "bmp280,ads1015:address=0x48:gain=1,dht22:pin=D18"
    config = load_publisher_config(env)
    assert [s.name for s in config.sensors] == ["bmp280", "ads1015@0x48", "dht22"]


def test_a_dht22_rejects_a_sample_interval_below_its_two_second_cycle(env: dict[str, str]) -> None:
    env |= {"SENSORS": "mock,dht22@4", "SAMPLE_INTERVAL_S": "1"}
    with pytest.raises(ConfigError) as caught:
        load_publisher_config(env)
    assert caught.value.problems == [
        "SAMPLE_INTERVAL_S=1 is shorter than the 2.1 s sensor 'dht22@d4' (dht22) needs "
        "between reads"
    ]


def test_sensor_problems_are_reported_with_the_other_settings(env: dict[str, str]) -> None:
    del env["MQTT_HOST"]
    env["SENSORS"] = "bmp280:address=0x10"
    with pytest.raises(ConfigError) as caught:
        load_publisher_config(env)
    assert len(caught.value.problems) == 2


def test_reading_once_needs_only_sensors() -> None:
    sensors, log_level = load_sensor_configs({"SENSORS": "bmp280@0x76", "LOG_LEVEL": "debug"})
    assert [s.name for s in sensors] == ["bmp280@0x76"]
    assert log_level == "DEBUG"
    with pytest.raises(ConfigError, match="unknown sensor driver"):
        load_sensor_configs({"SENSORS": "bme680"})
