from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.config import load_bridge_config
from sensormesh.admin.certs import init_certs
from sensormesh.envconfig import ConfigError


def test_every_mistake_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_bridge_config(
            {
                "INFLUX_URL": "influx:8086",
                "BATCH_SIZE": "0",
                "BRIDGE_GROUP": "a/b",
                "LOG_LEVEL": "loud",
            }
        )
    problems = "\n".join(caught.value.problems)
    for expected in (
        "INFLUX_URL='influx:8086' must start with http",
        "BATCH_SIZE='0'",
        "BRIDGE_GROUP='a/b'",
        "LOG_LEVEL='loud'",
        "INFLUX_BUCKET is required",
        "MQTT_HOST is required",
        "MQTT_PASSWORD is required",
    ):
        assert expected in problems


def test_receive_maximum_covers_a_full_batch_within_the_mqtt_limit(tmp_path: Path) -> None:
    ca = init_certs(tmp_path, ["h"], []).ca_cert
    base = {
        "INFLUX_URL": "http://i",
        "INFLUX_TOKEN": "t",
        "INFLUX_BUCKET": "b",
        "MQTT_HOST": "h",
        "MQTT_PASSWORD": "p",
        "MQTT_CA_CERT": str(ca),
    }
    assert load_bridge_config({**base, "BATCH_SIZE": "5000"}).receive_maximum == 10_000
    assert load_bridge_config({**base, "BATCH_SIZE": "60000"}).receive_maximum == 65_535
    defaults = load_bridge_config(base)
    assert (defaults.batch_size, defaults.flush_interval_s, defaults.group) == (5000, 1.0, "bridge")


def test_cli_with_bad_config_exits_2_before_connecting() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bridge"],
        env={"BATCH_SIZE": "lots"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("sensormesh-bridge: config error: ") for line in lines)
    assert any("BATCH_SIZE='lots' is not an integer" in line for line in lines)


def test_check_config_prints_settings_without_secrets(ca_cert: Path) -> None:
    env = {
        "INFLUX_URL": "http://influx:8086",
        "INFLUX_TOKEN": "tok-123",
        "INFLUX_BUCKET": "b",
        "MQTT_HOST": "collector.local",
        "MQTT_PASSWORD": "pw-456",
        "MQTT_CA_CERT": str(ca_cert),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bridge", "--check-config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "tok-123" not in result.stdout and "pw-456" not in result.stdout
    shown = json.loads(result.stdout)
    assert shown["influx"]["token_set"] is True and shown["mqtt"]["password_set"] is True
    assert shown["mqtt"]["ca"]["subject"] == "CN=sensormesh CA"
    assert shown["batch_size"] == 5000 and shown["group"] == "bridge"
