"""The ``sensormesh-publisher`` command: bad config, ``--check-config`` and ``--once``.

Most tests run the real CLI as a subprocess, with a listening socket as the "broker" to prove
that nothing connects.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from publisher.__main__ import main
from tests.emulators.ads1015 import Ads1015Chip
from tests.emulators.bmp280 import Bmp280Chip
from tests.emulators.dht22 import Dht22Chip
from tests.emulators.hardware import EmulatedHardware

PASSWORD = "hunter2-must-not-leak"
HARDWARE_MODULES = ("board", "busio", "digitalio", "microcontroller", "pulseio", "adafruit_")


@pytest.fixture
def broker() -> Iterator[socket.socket]:
    """A listening port standing in for the broker; a test checks nobody connected to it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


def no_connection_reached(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


@pytest.fixture
def env(tmp_path: Path, broker: socket.socket, ca_cert: Path) -> dict[str, str]:
    ca = ca_cert
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DEVICE_NAME": "node-1",
        "MQTT_HOST": "127.0.0.1",
        "MQTT_PORT": str(broker.getsockname()[1]),
        "MQTT_PASSWORD": PASSWORD,
        "MQTT_CA_CERT": str(ca),
    }


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_works_without_any_configuration(tmp_path: Path) -> None:
    result = run_cli("--help", env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)})
    assert result.returncode == 0
    assert "--check-config" in result.stdout and "--once" in result.stdout


def test_bad_sensors_exit_2_with_one_line_each_before_connecting(
    env: dict[str, str], broker: socket.socket
) -> None:
    env["SENSORS"] = "bmp280:address=0x99,thermo,dht22:pin=D99"
    result = run_cli(env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "sensormesh-publisher: config error: SENSORS: bmp280: address='0x99' is invalid: "
        "this chip answers only at 0x77, 0x76",
        "sensormesh-publisher: config error: SENSORS: unknown sensor driver 'thermo' "
        "(known: ads1015, am2302, bmp280, dht22, mock)",
        "sensormesh-publisher: config error: SENSORS: dht22: pin='D99' is invalid: "
        "use a header GPIO in BCM numbering, D0..D27",
    ]
    assert no_connection_reached(broker)


def test_check_config_prints_the_effective_config_without_the_password(
    env: dict[str, str], broker: socket.socket
) -> None:
    env["SENSORS"] = "bmp280@0x76,ads1015:gain=2/3:channels=01,am2302"
    result = run_cli("--check-config", env=env)
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    shown = json.loads(result.stdout)
    assert shown["device"] == "node-1"
    assert shown["mqtt"]["password_set"] is True and "password" not in shown["mqtt"]
    assert shown["sample_interval_s"] == 10.0
    assert shown["sensors"] == [
        {
            "name": "bmp280@0x76",
            "driver": "bmp280",
            "options": {"address": "0x76", "sea_level_pressure": None},
            "location": "I2C 0x76",
            "fields": {"temperature": "°C", "pressure": "hPa"},
        },
        {
            "name": "ads1015",
            "driver": "ads1015",
            "options": {"address": "0x49", "gain": "2/3", "channels": "01"},
            "location": "I2C 0x49",
            "fields": {"a0": "V", "a1": "V"},
        },
        {
            "name": "dht22",
            "driver": "dht22",
            "options": {"pin": "D18", "attempts": "2"},
            "location": "GPIO 18 (header pin 12)",
            "fields": {"temperature": "°C", "humidity": "%"},
        },
    ]
    assert no_connection_reached(broker)


def test_check_config_fails_like_a_normal_start_on_bad_config(env: dict[str, str]) -> None:
    env["SENSORS"] = "dht22"
    env["SAMPLE_INTERVAL_S"] = "0.5"
    result = run_cli("--check-config", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "SAMPLE_INTERVAL_S=0.5 is shorter than the 2.1 s" in result.stderr


def test_once_with_the_mock_prints_readings_and_needs_no_broker_settings(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "SENSORS": "mock"}
    result = run_cli("--once", env=env)
    assert result.returncode == 0, result.stderr
    (name, shown), *_ = json.loads(result.stdout).items()
    assert name == "mock" and shown["ok"] is True
    assert set(shown["values"]) == {"temperature", "humidity", "pressure"}
    assert shown["units"]["pressure"] == "hPa"


def test_once_exits_1_when_a_sensor_cannot_be_read_but_reports_the_others(
    tmp_path: Path,
) -> None:
    """No Pi here: Blinka finds no I2C bus or GPIO 18. The real production path, failing
    politely, and whatever Blinka prints on import stays out of the JSON on stdout."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SENSORS": "mock,bmp280,dht22",
    }
    result = run_cli("--once", env=env)
    assert result.returncode == 1
    shown = json.loads(result.stdout)
    assert shown["mock"]["ok"] is True
    for name in ("bmp280", "dht22"):
        assert shown[name]["ok"] is False and shown[name]["error"].startswith("cannot open")
    assert "sensor bmp280 (bmp280 at I2C 0x77) cannot open" in result.stderr
    assert "sensor dht22 (dht22 at GPIO 18 (header pin 12)) cannot open" in result.stderr


def test_config_and_help_never_import_blinka_or_adafruit_drivers(env: dict[str, str]) -> None:
    env["SENSORS"] = "bmp280,ads1015,dht22"
    probe = (
        "import sys, json; from publisher.__main__ import main; main(['--check-config']); "
        f"sys.stderr.write(json.dumps(sorted(m for m in sys.modules "
        f"if m.startswith({HARDWARE_MODULES!r}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stderr) == []


@pytest.mark.usefixtures("keep_root_logging")
def test_once_reads_an_emulated_node_through_main(
    hardware: EmulatedHardware, dht_library: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    hardware.attach(0x77, Bmp280Chip())
    hardware.attach(0x49, Ads1015Chip([1.25, 0.0, 0.0, 3.0]))
    hardware.wire("D18", Dht22Chip(humidity=61.0, temperature=19.4))
    env = {"SENSORS": "bmp280,ads1015:channels=0+3,dht22"}
    assert main(["--once"], env, hardware) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["bmp280"]["values"] == {"temperature": 25.08, "pressure": 1006.53}
    assert shown["ads1015"]["values"] == pytest.approx({"a0": 1.25, "a3": 3.0}, abs=0.002)
    assert shown["dht22"]["values"] == {"temperature": 19.4, "humidity": 61.0}


@pytest.mark.usefixtures("keep_root_logging")
def test_once_exits_1_with_an_absent_chip_and_still_reads_the_rest(
    hardware: EmulatedHardware, dht_library: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    hardware.attach(0x49, Ads1015Chip([0.5, 0.5, 0.5, 0.5]))
    hardware.wire("D18", Dht22Chip())
    assert main(["--once"], {"SENSORS": "bmp280,ads1015,dht22"}, hardware) == 1
    shown = json.loads(capsys.readouterr().out)
    assert shown["bmp280"] == {
        "driver": "bmp280",
        "ok": False,
        "error": "cannot open: no chip answers at 0x77",
    }
    assert shown["ads1015"]["ok"] and shown["dht22"]["ok"]
