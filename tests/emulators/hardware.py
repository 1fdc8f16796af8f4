"""The emulated world a driver sees in tests: one I2C bus, GPIO pins and a virtual clock.

``EmulatedHardware`` satisfies ``publisher.sensors.hardware.Hardware``, the same seam that
``BlinkaHardware`` fills on a node, so tests pass it to ``SensorSlot`` or ``main(..., hardware=)``
and the production code path runs unchanged down to the Adafruit driver.
"""

from __future__ import annotations

from tests.emulators.clock import VirtualClock
from tests.emulators.dht22 import Dht22Chip, GpioPin
from tests.emulators.i2c import Chip, EmulatedI2CBus


class EmulatedHardware:
    def __init__(self, clock: VirtualClock | None = None) -> None:
        self.clock = clock or VirtualClock()
        self.bus = EmulatedI2CBus()
        self.pins: dict[str, GpioPin] = {}

    def attach(self, address: int, chip: Chip) -> None:
        self.bus.attach(address, chip)

    def wire(self, pin_name: str, chip: Dht22Chip) -> None:
        self.pin(pin_name).chip = chip

    def i2c(self) -> EmulatedI2CBus:
        return self.bus

    def pin(self, name: str) -> GpioPin:
        return self.pins.setdefault(name, GpioPin(name))

    def monotonic(self) -> float:
        return self.clock.monotonic()

    def sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)
