"""An I2C bus as Linux's ``/dev/i2c-1`` looks through Blinka's ``busio.I2C``, with chips on it.

``EmulatedI2CBus`` implements the part of ``busio.I2C`` that ``adafruit_bus_device.I2CDevice``
uses (try_lock/unlock/scan/writeto/readfrom_into/writeto_then_readfrom), so unmodified Adafruit
drivers run against it. An address with no chip raises ``OSError(121, 'Remote I/O error')`` as
the kernel does when nothing acknowledges, and ``fail_after`` makes the bus itself break
mid-run (a loose ribbon cable) and later recover.

A chip is any object with ``write(data)`` and ``read(length)``: one I2C write transaction and
one read transaction. ``RegisterChip`` covers the common case of byte registers behind an
auto-incrementing pointer; subclass it and override ``read_register``/``write_register`` for
registers with side effects (see ``bmp280.py``).
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from typing import Any, Protocol

EREMOTEIO = errno.EREMOTEIO  # 121 on Linux: "Remote I/O error", nobody acknowledged


def io_error(code: int = EREMOTEIO) -> OSError:
    return OSError(code, os.strerror(code))


class Chip(Protocol):
    def write(self, data: bytes) -> None:
        """One write transaction; ``b""`` is a probe and must only be acknowledged."""

    def read(self, length: int) -> bytes: ...


class RegisterChip:
    """Byte registers behind a pointer: a write sets the pointer then fills registers from it,
    a read returns registers from the pointer on. Both advance the pointer."""

    def __init__(self) -> None:
        self.registers = bytearray(256)
        self.pointer = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.pointer = data[0]
        for value in data[1:]:
            self.write_register(self.pointer, value)
            self.pointer = (self.pointer + 1) & 0xFF

    def read(self, length: int) -> bytes:
        out = bytearray()
        for _ in range(length):
            out.append(self.read_register(self.pointer))
            self.pointer = (self.pointer + 1) & 0xFF
        return bytes(out)

    def read_register(self, register: int) -> int:
        return self.registers[register]

    def write_register(self, register: int, value: int) -> None:
        self.registers[register] = value


class EmulatedI2CBus:
    def __init__(self) -> None:
        self.chips: dict[int, Chip] = {}
        self.transactions = 0
        self.addressed: Counter[int] = Counter()  # transactions per address, answered or not
        self._locked = False
        self._fail_from: int | None = None
        self._fail_until: int | None = None

    def attach(self, address: int, chip: Chip) -> None:
        self.chips[address] = chip

    def detach(self, address: int) -> None:
        del self.chips[address]

    def fail_after(self, transactions: int, failures: int | None = None) -> None:
        """Let ``transactions`` more succeed, then fail ``failures`` (None: until ``recover``)."""
        self._fail_from = self.transactions + transactions
        self._fail_until = None if failures is None else self._fail_from + failures

    def recover(self) -> None:
        self._fail_from = self._fail_until = None

    @property
    def failing(self) -> bool:
        if self._fail_from is None or self.transactions < self._fail_from:
            return False
        return self._fail_until is None or self.transactions < self._fail_until

    # --- the busio.I2C surface -------------------------------------------------------------

    def try_lock(self) -> bool:
        if self._locked:
            return False
        self._locked = True
        return True

    def unlock(self) -> None:
        self._locked = False

    def scan(self) -> list[int]:
        self._require_lock()
        return sorted(self.chips)

    def writeto(self, address: int, buffer: Any, *, start: int = 0, end: int | None = None) -> None:
        self._chip(address).write(bytes(buffer[start:end]))

    def readfrom_into(
        self, address: int, buffer: Any, *, start: int = 0, end: int | None = None
    ) -> None:
        end = len(buffer) if end is None else end
        buffer[start:end] = self._chip(address).read(end - start)

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
    ) -> None:
        """A repeated start: one transaction, so a failing bus fails it once."""
        chip = self._chip(address)
        chip.write(bytes(buffer_out[out_start:out_end]))
        in_end = len(buffer_in) if in_end is None else in_end
        buffer_in[in_start:in_end] = chip.read(in_end - in_start)

    def _chip(self, address: int) -> Chip:
        self._require_lock()
        failing = self.failing
        self.transactions += 1
        self.addressed[address] += 1
        if failing:
            raise io_error()
        chip = self.chips.get(address)
        if chip is None:
            raise io_error(EREMOTEIO)
        return chip

    def _require_lock(self) -> None:
        if not self._locked:  # CircuitPython enforces this; Blinka does not, we do
            raise RuntimeError("First call try_lock()")
