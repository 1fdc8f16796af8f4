"""An AM2302/DHT22 on a GPIO line, seen through an emulated ``pulseio.PulseIn``.

On a Pi, adafruit_dht imports Blinka's ``pulseio.PulseIn``, which pulls the line low for the
start signal, then records how long each level lasted, in microseconds. ``pulseio_module()``
returns a stand-in module with a ``PulseIn`` of the same interface; put it in ``sys.modules``
before importing adafruit_dht and the unmodified driver reads the emulated chip.

The chip answers a start signal of at least 800 µs with the DHT22 frame: after the host
releases the line (high ~30 µs), it pulls low 80 µs, high 80 µs, then sends 40 bits, each a
50 µs low followed by a high of 26 µs (0) or 70 µs (1), and a final 50 µs low. The bits are
humidity x10 (16 bits), temperature x10 (15 bits, top bit = minus), and a checksum byte: the
low byte of the sum of the other four. ``PulseIn`` keeps the last ``maxlen`` (81) durations,
so the driver sees 40 low/high pairs plus the closing low, as on real hardware.

Queue ``faults`` to make single answers go wrong: ``"checksum"`` (last byte off by one),
``"truncated"`` (only 30 bits) or ``"silent"`` (no answer). A pin with no chip wired answers
nothing at all: the "sensor not found" case.
"""

from __future__ import annotations

import types
from collections import deque
from dataclasses import dataclass, field

MIN_START_US = 800
RELEASE_US, RESPONSE_US, BIT_LOW_US, ZERO_US, ONE_US = 30, 80, 50, 26, 70
FAULTS = ("checksum", "truncated", "silent")


def frame_bytes(humidity: float, temperature: float) -> list[int]:
    rh = round(humidity * 10)
    t = round(abs(temperature) * 10) | (0x8000 if temperature < 0 else 0)
    data = [rh >> 8, rh & 0xFF, t >> 8, t & 0xFF]
    return [*data, sum(data) & 0xFF]


@dataclass
class Dht22Chip:
    humidity: float = 45.0
    temperature: float = 21.5
    faults: deque[str] = field(default_factory=deque)
    starts: int = 0

    def answer(self, start_us: int) -> list[int]:
        """The level durations on the line after a start signal of ``start_us``."""
        self.starts += 1
        fault = self.faults.popleft() if self.faults else None
        if start_us < MIN_START_US or fault == "silent":
            return []
        data = frame_bytes(self.humidity, self.temperature)
        if fault == "checksum":
            data[4] = (data[4] + 1) & 0xFF
        bits = [(byte >> (7 - i)) & 1 for byte in data for i in range(8)]
        if fault == "truncated":
            bits = bits[:30]
        pulses = [RELEASE_US, RESPONSE_US, RESPONSE_US]
        for bit in bits:
            pulses += [BIT_LOW_US, ONE_US if bit else ZERO_US]
        return [*pulses, BIT_LOW_US]


@dataclass(eq=False)
class GpioPin:
    """Looks like ``microcontroller.Pin`` to a driver; ``chip`` is what is wired to it."""

    name: str
    chip: Dht22Chip | None = None
    captures: list[PulseIn] = field(default_factory=list)  # every PulseIn opened on it

    @property
    def id(self) -> str:
        return self.name


class PulseIn:
    """Blinka's PulseIn interface: ``resume(trigger_us)`` sends the start signal."""

    def __init__(self, pin: GpioPin, maxlen: int = 2, idle_state: bool = False) -> None:
        if not isinstance(pin, GpioPin):
            raise TypeError(f"emulated PulseIn needs an emulated pin, got {pin!r}")
        self.pin = pin
        self.maxlen = maxlen
        self.idle_state = idle_state
        self.paused = False
        self.closed = False
        self._pulses: deque[int] = deque(maxlen=maxlen)
        pin.captures.append(self)

    def pause(self) -> None:
        self._check_open()
        self.paused = True

    def resume(self, trigger_duration: int = 0) -> None:
        self._check_open()
        self.paused = False
        if trigger_duration and self.pin.chip is not None:
            self._pulses.extend(self.pin.chip.answer(trigger_duration))

    def clear(self) -> None:
        self._pulses.clear()

    def popleft(self) -> int:
        if not self._pulses:
            raise IndexError("pop from empty PulseIn")
        return self._pulses.popleft()

    def __len__(self) -> int:
        return len(self._pulses)

    def __getitem__(self, index: int) -> int:
        return self._pulses[index]

    def deinit(self) -> None:
        self.closed = True

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("PulseIn used after deinit()")


def pulseio_module() -> types.ModuleType:
    """A stand-in for Blinka's ``pulseio`` to place in ``sys.modules`` during a test."""
    module = types.ModuleType("pulseio", "Emulated pulseio: see tests/emulators/dht22.py")
    module.PulseIn = PulseIn  # type: ignore[attr-defined]
    return module
