"""The seam between sensor drivers and the physical world.

Drivers never import ``board`` themselves: they ask a ``Hardware`` for the I2C bus, a GPIO pin
and the time. On a node that is ``BlinkaHardware``, which imports Blinka on first use, so
``--help``, ``--check-config``, the mock sensor and the tests run on any machine. Tests pass
register-level emulators instead (see ``tests/emulators``), and the unmodified Adafruit drivers
talk to those exactly as they would to the chips.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from publisher.sensors.base import SensorError

I2C_BUS_NAME = "I2C bus 1 (/dev/i2c-1, header pins 3 SDA and 5 SCL)"
ENABLE_I2C_HINT = (
    "enable I2C: on balena set the device configuration variable "
    'BALENA_HOST_CONFIG_dtparam to "i2c_arm=on"; on Raspberry Pi OS run raspi-config'
)


class I2CBus(Protocol):
    """What ``adafruit_bus_device.I2CDevice`` uses of ``busio.I2C``; emulators implement it."""

    def try_lock(self) -> bool: ...

    def unlock(self) -> None: ...

    def scan(self) -> list[int]: ...

    def writeto(self, address: int, buffer: Any, *, start: int = 0, end: int | None = None) -> None:
        """Write ``buffer[start:end]``; an absent address raises OSError 121."""

    def readfrom_into(
        self, address: int, buffer: Any, *, start: int = 0, end: int | None = None
    ) -> None: ...

    def writeto_then_readfrom(
        self,
        address: int,
        buffer_out: Any,
        buffer_in: Any,
        *,
        out_start: int = 0,
        out_end: int | None = None,
        in_start: int = 0,
        in_end: int | None = None,
    ) -> None: ...


class Hardware(Protocol):
    """Everything a driver may touch: one shared I2C bus, GPIO pins by board name, time."""

    def i2c(self) -> I2CBus: ...

    def pin(self, name: str) -> object:
        """The board pin (``microcontroller.Pin``) called ``name``, e.g. ``D18``."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class BlinkaHardware:
    """The real board via Adafruit Blinka; imports it lazily and opens the I2C bus once."""

    def __init__(self) -> None:
        self._bus: I2CBus | None = None

    def i2c(self) -> I2CBus:
        if self._bus is None:
            board = _import_board()
            if not hasattr(board, "I2C"):
                raise SensorError(f"Blinka knows no I2C bus on board {board.board_id}")
            try:
                self._bus = board.I2C()
            except (OSError, ValueError, RuntimeError) as exc:
                raise SensorError(f"cannot open {I2C_BUS_NAME}: {exc}; {ENABLE_I2C_HINT}") from exc
        return self._bus

    def pin(self, name: str) -> object:
        board = _import_board()
        pin = getattr(board, name, None)
        if pin is None:
            raise SensorError(f"board {board.board_id} has no pin {name}")
        return pin

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _import_board() -> Any:
    """Blinka detects the board at import time and raises on machines it does not know."""
    try:
        import board  # lazy on purpose: see the module docstring
    except (ImportError, NotImplementedError, RuntimeError) as exc:
        raise SensorError(f"Blinka cannot drive this machine's pins: {exc}") from exc
    return board
