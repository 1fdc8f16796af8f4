"""A simulated sensor with believable signals, so a dashboard looks alive without hardware.

Temperature and humidity follow a daily cycle (warmest mid-afternoon, driest then), pressure
drifts slowly; each has a little noise. With the same seed the same instant gives the same
values, so tests and demos are reproducible.
"""

from __future__ import annotations

import math
import random
import time
import zlib
from collections.abc import Callable

from publisher.sensors.base import DriverSpec, FieldSpec, Options, OptionSpec, Sensor
from publisher.sensors.hardware import Hardware

DAY_S = 86_400.0
WARMEST_AT_S = 15 * 3600.0  # 15:00 UTC


class MockSensor:
    def __init__(self, seed: int, base_temperature: float, clock: Callable[[], float]) -> None:
        self._random = random.Random(seed)
        self._base_temperature = base_temperature
        self._clock = clock
        self._pressure_phase = self._random.uniform(0, 2 * math.pi)

    def read(self) -> dict[str, float]:
        now = self._clock()
        day = math.cos(2 * math.pi * ((now % DAY_S) - WARMEST_AT_S) / DAY_S)
        weather = math.sin(2 * math.pi * now / (3.3 * DAY_S) + self._pressure_phase)
        noise = self._random.gauss
        return {
            "temperature": round(self._base_temperature + 3.5 * day + noise(0, 0.08), 3),
            "humidity": round(min(100.0, max(0.0, 50.0 - 12.0 * day + noise(0, 0.4))), 2),
            "pressure": round(1013.25 + 8.0 * weather + noise(0, 0.05), 3),
        }

    def close(self) -> None:
        return None


def _open(options: Options, hardware: Hardware) -> Sensor:
    """The daily cycle follows the wall clock, not the hardware's monotonic one."""
    seed = options.get("seed")
    base = options["base_temperature"]
    if not isinstance(seed, int):
        seed = default_seed(f"{options.get('device', '')}/{options['name']}")
    assert isinstance(base, float)
    return MockSensor(seed, base, time.time)


DRIVER = DriverSpec(
    kind="mock",
    summary="Simulated temperature, humidity and pressure with a daily cycle and noise.",
    fields=(
        FieldSpec("temperature", "°C", "temperature", "air temperature"),
        FieldSpec("humidity", "%", "humidity", "relative humidity"),
        FieldSpec("pressure", "hPa", "atmospheric_pressure", "barometric pressure"),
    ),
    options=(
        OptionSpec("seed", "", "random seed (default: from the device and sensor names)", int),
        OptionSpec("base_temperature", "21.0", "daily mean temperature in °C", float),
    ),
    wiring="none: runs anywhere",
    open=_open,
)


def default_seed(name: str) -> int:
    """A stable seed per device and sensor, so no two mock sensors move in lockstep."""

    return zlib.crc32(name.encode())
