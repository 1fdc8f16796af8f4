"""The DHT22 driver: the real adafruit_dht read path fed emulated pulse trains, in virtual time."""

from __future__ import annotations

import logging
from types import ModuleType

import pytest

from publisher.sampling import SensorSlot
from publisher.sensors.base import SensorConfig
from publisher.sensors.dht22 import MIN_SPACING_S
from publisher.sensors.registry import parse_sensors
from tests.emulators.clock import VirtualClock
from tests.emulators.dht22 import Dht22Chip
from tests.emulators.hardware import EmulatedHardware


def dht_config(text: str = "dht22") -> SensorConfig:
    (config,), problems = parse_sensors(text)
    assert problems == []
    return config


@pytest.fixture
def chip(hardware: EmulatedHardware) -> Dht22Chip:
    sensor = Dht22Chip(humidity=55.3, temperature=-3.2)
    hardware.wire("D18", sensor)
    return sensor


@pytest.fixture
def slot(hardware: EmulatedHardware, dht_library: ModuleType) -> SensorSlot:
    return SensorSlot(dht_config(), hardware.monotonic, hardware)


def test_a_valid_frame_reads_through_the_adafruit_driver(slot: SensorSlot, chip: Dht22Chip) -> None:
    assert slot.sample() == {"temperature": -3.2, "humidity": 55.3}
    assert chip.starts == 1
    assert slot.config.units() == {"temperature": "°C", "humidity": "%"}


def test_the_library_alone_would_answer_stale_values_within_two_seconds(
    hardware: EmulatedHardware, dht_library: ModuleType, chip: Dht22Chip, clock: VirtualClock
) -> None:
    """The hazard the driver guards against, reproduced with the emulator and virtual time."""
    device = dht_library.DHT22(hardware.pin("D18"))
    assert device.temperature == -3.2
    chip.temperature = 30.0
    clock.advance(1.0)
    assert device.temperature == -3.2  # cached: the chip was not asked
    assert chip.starts == 1
    clock.advance(1.1)
    assert device.temperature == 30.0


def test_back_to_back_samples_wait_for_a_fresh_frame_instead_of_the_cache(
    slot: SensorSlot, chip: Dht22Chip, clock: VirtualClock
) -> None:
    first_at = clock.now
    assert slot.sample() == {"temperature": -3.2, "humidity": 55.3}
    chip.temperature = 30.0
    assert slot.sample() == {"temperature": 30.0, "humidity": 55.3}
    assert chip.starts == 2
    assert clock.now - first_at > MIN_SPACING_S


def test_a_bad_checksum_is_retried_more_than_two_seconds_later(
    slot: SensorSlot, chip: Dht22Chip, clock: VirtualClock
) -> None:
    chip.faults.append("checksum")
    start = clock.now
    assert slot.sample() == {"temperature": -3.2, "humidity": 55.3}
    assert chip.starts == 2
    assert clock.now - start > MIN_SPACING_S
    assert slot.misses == 0


def test_a_failed_sample_never_falls_back_to_the_last_good_value(
    slot: SensorSlot, chip: Dht22Chip
) -> None:
    assert slot.sample() == {"temperature": -3.2, "humidity": 55.3}
    chip.temperature = 24.0
    chip.faults.extend(["checksum", "truncated"])
    assert slot.sample() is None
    assert slot.misses == 1
    assert slot.last_error == (
        "read failed: 2 attempt(s) failed: Checksum did not validate. Try again.; "
        "A full buffer was not returned. Try again."
    )
    assert slot.sample() == {"temperature": 24.0, "humidity": 55.3}
    assert slot.misses == 0


def test_a_missing_sensor_counts_misses_and_is_logged_once_with_its_pin(
    hardware: EmulatedHardware, dht_library: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    slot = SensorSlot(dht_config("dht22:attempts=1"), hardware.monotonic, hardware)
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert slot.sample() is None
    assert slot.misses == 3
    assert slot.last_error == "read failed: 1 attempt(s) failed: DHT sensor not found, check wiring"
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "GPIO 18 (header pin 12)" in line and "pull-up" in line


def test_recovery_is_logged_with_the_number_of_misses(
    hardware: EmulatedHardware, dht_library: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    chip = Dht22Chip(humidity=40.0, temperature=20.0)
    hardware.wire("D4", chip)
    chip.faults.extend(["silent"] * 4)
    slot = SensorSlot(dht_config("am2302@4"), hardware.monotonic, hardware)
    assert slot.name == "dht22@d4"
    with caplog.at_level(logging.INFO):
        assert slot.sample() is None
        assert slot.sample() is None
        assert slot.sample() == {"temperature": 20.0, "humidity": 40.0}
    assert "reads again after 2 misses" in caplog.text


def test_closing_the_slot_stops_the_pulse_capture(
    slot: SensorSlot, chip: Dht22Chip, hardware: EmulatedHardware
) -> None:
    assert slot.sample() is not None
    (capture,) = hardware.pin("D18").captures
    assert not capture.closed
    slot.close()
    assert capture.closed and not slot.is_open
