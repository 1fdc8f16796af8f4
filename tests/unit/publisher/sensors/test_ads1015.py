"""The ADS1015 driver: adafruit_ads1x15 3.x against the emulated config/conversion registers."""

from __future__ import annotations

import adafruit_ads1x15
import pytest
from adafruit_ads1x15.ads1x15 import Pin

from publisher.sampling import SensorSlot
from publisher.sensors.ads1015 import FULL_SCALE_V
from publisher.sensors.registry import parse_sensors
from tests.emulators.ads1015 import Ads1015Chip
from tests.emulators.hardware import EmulatedHardware

# Fractions of full scale on AIN0..AIN3: near the top, mid, low, and a hair above zero.
FRACTIONS = (0.93, 0.5, 0.1234, 0.004)


@pytest.mark.parametrize("gain", list(FULL_SCALE_V))
def test_injected_voltages_come_back_within_one_lsb_at_each_gain(
    hardware: EmulatedHardware, gain: str
) -> None:
    full_scale = FULL_SCALE_V[gain]
    volts = [f * full_scale for f in FRACTIONS]
    chip = Ads1015Chip(volts)
    hardware.attach(0x49, chip)
    (config,), problems = parse_sensors(f"ads1015:gain={gain}")
    assert problems == []
    values = SensorSlot(config, hardware.monotonic, hardware).sample()
    assert values is not None
    lsb = full_scale / 2048
    for channel, expected in enumerate(volts):
        assert abs(values[f"a{channel}"] - expected) <= lsb, (gain, channel)
    assert chip.conversions == 4


def test_adafruit_3x_api_reads_the_emulated_chip_directly(hardware: EmulatedHardware) -> None:
    hardware.attach(0x48, Ads1015Chip([1.5, 0.0, 0.0, 0.0], busy_polls=3))
    ads = adafruit_ads1x15.ADS1015(hardware.i2c(), gain=1, address=0x48)
    assert adafruit_ads1x15.AnalogIn(ads, Pin.A0).voltage == pytest.approx(1.5, abs=0.002)


def test_only_selected_channels_are_read_and_declared(hardware: EmulatedHardware) -> None:
    chip = Ads1015Chip([0.1, 0.2, 0.3, 0.4])
    hardware.attach(0x48, chip)
    (config,), problems = parse_sensors("ads1015@0x48:channels=0+2")
    assert problems == []
    assert config.name == "ads1015@0x48"
    assert config.units() == {"a0": "V", "a2": "V"}
    values = SensorSlot(config, hardware.monotonic, hardware).sample()
    assert values is not None and set(values) == {"a0", "a2"}
    assert chip.conversions == 2


def test_a_voltage_beyond_full_scale_clips_at_the_top_code(hardware: EmulatedHardware) -> None:
    hardware.attach(0x49, Ads1015Chip([3.3, 0.0, 0.0, 0.0]))
    (config,), _ = parse_sensors("ads1015:gain=2:channels=0")
    values = SensorSlot(config, hardware.monotonic, hardware).sample()
    assert values == pytest.approx({"a0": 2.048 - 2.048 / 2048})


def test_absent_adc_is_a_miss_naming_its_address(hardware: EmulatedHardware) -> None:
    (config,), _ = parse_sensors("ads1015")
    slot = SensorSlot(config, hardware.monotonic, hardware)
    assert slot.sample() is None
    assert slot.last_error == "cannot open: no chip answers at 0x49"
    assert hardware.bus.addressed[0x49] >= 1
