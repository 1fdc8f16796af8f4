"""The BMP280 driver: the unmodified Adafruit driver against the register-level emulator."""

from __future__ import annotations

import logging

import adafruit_bmp280
import pytest

from publisher.sampling import SensorSlot
from publisher.sensors.base import SensorConfig
from publisher.sensors.registry import parse_sensors
from tests.emulators.bmp280 import Bmp280Chip
from tests.emulators.hardware import EmulatedHardware


def one_sensor(text: str) -> SensorConfig:
    configs, problems = parse_sensors(text)
    assert problems == []
    (config,) = configs
    return config


def test_adafruit_driver_reads_the_datasheet_example_from_the_emulated_chip(
    hardware: EmulatedHardware,
) -> None:
    hardware.attach(0x77, Bmp280Chip())
    chip = adafruit_bmp280.Adafruit_BMP280_I2C(hardware.i2c(), address=0x77)
    assert chip.temperature == pytest.approx(25.08, abs=0.005)
    assert chip.pressure == pytest.approx(1006.53, abs=0.005)


def test_publisher_reads_25_08_c_and_1006_53_hpa_through_its_own_slot(
    hardware: EmulatedHardware,
) -> None:
    hardware.attach(0x77, Bmp280Chip())
    slot = SensorSlot(one_sensor("bmp280"), hardware.monotonic, hardware)
    assert slot.sample() == {"temperature": 25.08, "pressure": 1006.53}
    assert slot.config.units() == {"temperature": "°C", "pressure": "hPa"}


def test_every_sample_is_a_new_forced_conversion(hardware: EmulatedHardware) -> None:
    chip = Bmp280Chip()
    hardware.attach(0x77, chip)
    slot = SensorSlot(one_sensor("bmp280"), hardware.monotonic, hardware)
    first = slot.sample()
    chip.adc_t = 530000  # warmer
    second = slot.sample()
    assert first is not None and second is not None
    assert second["temperature"] > first["temperature"] + 1.0
    assert chip.conversions >= 4  # temperature and pressure each force one per sample


def test_two_chips_get_distinct_names_by_address(hardware: EmulatedHardware) -> None:
    hardware.attach(0x77, Bmp280Chip())
    hardware.attach(0x76, Bmp280Chip(adc_t=530000))
    configs, problems = parse_sensors("bmp280,bmp280@0x76")
    assert problems == []
    readings = {c.name: SensorSlot(c, hardware.monotonic, hardware).sample() for c in configs}
    assert set(readings) == {"bmp280", "bmp280@0x76"}
    assert readings["bmp280"] == {"temperature": 25.08, "pressure": 1006.53}
    assert readings["bmp280@0x76"] is not None
    assert readings["bmp280@0x76"]["temperature"] != 25.08


def test_sea_level_pressure_adds_an_altitude_field(hardware: EmulatedHardware) -> None:
    hardware.attach(0x77, Bmp280Chip())
    config = one_sensor("bmp280:sea_level_pressure=1013.25")
    values = SensorSlot(config, hardware.monotonic, hardware).sample()
    assert values is not None
    # barometric formula with the Adafruit exponent for 1006.5326 hPa against 1013.25 hPa
    assert values["altitude"] == pytest.approx(56.1, abs=0.15)
    assert config.units()["altitude"] == "m"


def test_absent_chip_is_a_miss_that_names_the_address_and_what_to_check(
    hardware: EmulatedHardware, caplog: pytest.LogCaptureFixture
) -> None:
    slot = SensorSlot(one_sensor("bmp280"), hardware.monotonic, hardware)
    with caplog.at_level(logging.WARNING):
        assert slot.sample() is None
    assert slot.misses == 1
    assert slot.last_error == "cannot open: no chip answers at 0x77"
    (line,) = [r.getMessage() for r in caplog.records]
    assert "I2C 0x77" in line and "i2cdetect -y 1" in line


def test_a_different_chip_at_the_address_is_refused(hardware: EmulatedHardware) -> None:
    hardware.attach(0x77, Bmp280Chip(chip_id=0x60))  # a BME280 answers with 0x60
    slot = SensorSlot(one_sensor("bmp280"), hardware.monotonic, hardware)
    assert slot.sample() is None
    assert slot.last_error is not None and "is not a BMP280" in slot.last_error
