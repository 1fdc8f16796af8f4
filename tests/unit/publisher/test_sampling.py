"""Failure behaviour: one sensor's trouble never stops the others; outages are logged once."""

from __future__ import annotations

import logging
from types import ModuleType

import pytest

from publisher.sampling import REOPEN_MAX_S, SensorSlot
from publisher.sensors.registry import parse_sensors
from tests.emulators.ads1015 import Ads1015Chip
from tests.emulators.bmp280 import Bmp280Chip
from tests.emulators.clock import VirtualClock
from tests.emulators.dht22 import Dht22Chip
from tests.emulators.hardware import EmulatedHardware

TICK_S = 10.0


def node_slots(hardware: EmulatedHardware, sensors: str) -> list[SensorSlot]:
    configs, problems = parse_sensors(sensors)
    assert problems == []
    return [SensorSlot(config, hardware.monotonic, hardware) for config in configs]


def tick(slots: list[SensorSlot], clock: VirtualClock) -> dict[str, dict[str, float] | None]:
    """One round of the publisher's loop: every slot sampled, then time moves on."""
    taken = {slot.name: slot.sample() for slot in slots}
    clock.advance(TICK_S)
    return taken


@pytest.fixture
def full_node(hardware: EmulatedHardware, dht_library: ModuleType) -> EmulatedHardware:
    """An Enviro-pHAT (BMP280 at 0x77, ADS1015 at 0x49) and a DHT22 on GPIO 18."""
    hardware.attach(0x77, Bmp280Chip())
    hardware.attach(0x49, Ads1015Chip([1.0, 2.0, 0.5, 0.25]))
    hardware.wire("D18", Dht22Chip(humidity=48.0, temperature=22.5))
    return hardware


def test_an_absent_i2c_chip_does_not_stop_the_other_sensors(
    full_node: EmulatedHardware, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    slots = node_slots(full_node, "bmp280,bmp280@0x76,ads1015,dht22")
    with caplog.at_level(logging.WARNING):
        rounds = [tick(slots, clock) for _ in range(5)]
    assert all(r["bmp280@0x76"] is None for r in rounds)
    assert all(r["bmp280"] == {"temperature": 25.08, "pressure": 1006.53} for r in rounds)
    assert all(r["ads1015"] is not None and r["dht22"] is not None for r in rounds)
    by_name = {slot.name: slot for slot in slots}
    assert by_name["bmp280@0x76"].misses == 5
    assert [s.misses for n, s in by_name.items() if n != "bmp280@0x76"] == [0, 0, 0]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "bmp280@0x76 (bmp280 at I2C 0x76) cannot open" in warnings[0]


def test_an_absent_chip_is_reopened_with_backoff_not_on_every_tick(
    hardware: EmulatedHardware, clock: VirtualClock
) -> None:
    (slot,) = node_slots(hardware, "bmp280")
    for _ in range(300):
        slot.sample()
        clock.advance(0.5)
    probes = hardware.bus.addressed[0x77]
    assert slot.misses == 300
    # 150 s of 0.5 s ticks; backoff from 1 s doubling to 60 s allows about ten open attempts,
    # each probing the address twice (an empty write, then a one-byte read).
    assert 6 <= probes <= 40


def test_a_chip_plugged_in_later_is_found_and_the_recovery_logged(
    hardware: EmulatedHardware, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    (slot,) = node_slots(hardware, "bmp280")
    with caplog.at_level(logging.INFO):
        assert tick([slot], clock)["bmp280"] is None
        hardware.attach(0x77, Bmp280Chip())
        clock.advance(REOPEN_MAX_S)
        assert tick([slot], clock)["bmp280"] == {"temperature": 25.08, "pressure": 1006.53}
    assert slot.misses == 0
    assert "sensor bmp280 (bmp280 at I2C 0x77) reads again after 1 misses" in caplog.text


def test_a_bus_failing_mid_run_costs_misses_then_every_sensor_recovers(
    full_node: EmulatedHardware, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    slots = node_slots(full_node, "bmp280,ads1015,dht22")
    assert all(v is not None for v in tick(slots, clock).values())
    full_node.bus.fail_after(3)  # breaks during the next round, after 3 good transactions
    with caplog.at_level(logging.INFO):
        broken = [tick(slots, clock) for _ in range(4)]
        full_node.bus.recover()
        clock.advance(REOPEN_MAX_S)
        healed = tick(slots, clock)
    assert all(r["bmp280"] is None and r["ads1015"] is None for r in broken)
    assert all(r["dht22"] == {"temperature": 22.5, "humidity": 48.0} for r in broken)
    assert healed["bmp280"] == {"temperature": 25.08, "pressure": 1006.53}
    assert healed["ads1015"] == pytest.approx(
        {"a0": 1.0, "a1": 2.0, "a2": 0.5, "a3": 0.25}, abs=0.002
    )
    assert [s.misses for s in slots] == [0, 0, 0]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("Errno 121" in w for w in warnings)
    assert "sensor bmp280 (bmp280 at I2C 0x77) reads again after 4 misses" in caplog.text
    assert "sensor ads1015 (ads1015 at I2C 0x49) reads again after 4 misses" in caplog.text


def test_misses_count_consecutive_failures_only(
    full_node: EmulatedHardware, clock: VirtualClock
) -> None:
    (slot,) = node_slots(full_node, "dht22:attempts=1")
    chip = full_node.pin("D18").chip
    assert chip is not None
    chip.faults.extend(["silent", "silent", "checksum"])
    assert [tick([slot], clock)["dht22"] is None for _ in range(4)] == [True, True, True, False]
    assert slot.misses == 0
    chip.faults.append("silent")
    tick([slot], clock)
    assert slot.misses == 1


def test_status_units_follow_each_instance_options() -> None:
    configs, problems = parse_sensors("bmp280:sea_level_pressure=1013,ads1015:channels=13,mock")
    assert problems == []
    assert {c.name: c.units() for c in configs} == {
        "bmp280": {"temperature": "°C", "pressure": "hPa", "altitude": "m"},
        "ads1015": {"a1": "V", "a3": "V"},
        "mock": {"temperature": "°C", "humidity": "%", "pressure": "hPa"},
    }
