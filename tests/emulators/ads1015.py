"""A TI ADS1015 12-bit ADC at register level (datasheet SBAS473, section 8.6 "Register Map").

Four 16-bit registers behind a pointer byte: 0 conversion, 1 config, 2 lo_thresh, 3 hi_thresh.
A write of one byte only sets the pointer; three bytes set the pointer and a register (MSB
first). A read returns the pointed register, MSB first.

Config: bit 15 OS, bits 14:12 MUX, 11:9 PGA (full scale), 8 MODE (1 single-shot). Writing OS=1
in single-shot mode starts a conversion; OS reads 0 ("converting") for ``busy_polls`` config
reads, then 1, and the conversion register holds the result: a 12-bit two's complement code,
``floor(V / full_scale * 2048)`` clipped to -2048..2047, left-justified (shifted up 4 bits).
Continuous mode converts on every read of the conversion register.

Set ``voltages`` (AIN0..AIN3 against GND, in volts) to what the inputs should see.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

REG_CONVERSION, REG_CONFIG, REG_LO_THRESH, REG_HI_THRESH = 0, 1, 2, 3
CONFIG_RESET = 0x8583
OS_BIT = 0x8000
MODE_SINGLE = 0x0100
FULL_SCALE_V = (6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256)  # by PGA bits
DIFFERENTIAL = ((0, 1), (0, 3), (1, 3), (2, 3))  # MUX 0..3; MUX 4..7 are AIN0..3 vs GND


class Ads1015Chip:
    def __init__(self, voltages: Sequence[float] = (0.0, 0.0, 0.0, 0.0), busy_polls: int = 1):
        self.voltages = list(voltages)
        self.busy_polls = busy_polls
        self.conversions = 0
        self.registers = [0x0000, CONFIG_RESET, 0x8000, 0x7FFF]
        self.pointer = REG_CONVERSION
        self._busy = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.pointer = data[0] & 0x03
        if len(data) >= 3:
            self._write_register(self.pointer, data[1] << 8 | data[2])

    def read(self, length: int) -> bytes:
        value = self._read_register(self.pointer)
        word = bytes([value >> 8, value & 0xFF])
        return (word * (length // 2 + 1))[:length]

    def code_for(self, volts: float, pga: int) -> int:
        """The 12-bit code the chip reports for ``volts`` at PGA setting ``pga`` (0..7)."""
        code = math.floor(volts / FULL_SCALE_V[pga] * 2048)
        return max(-2048, min(2047, code))

    def _write_register(self, register: int, value: int) -> None:
        if register == REG_CONVERSION:
            return  # read-only
        if register != REG_CONFIG:
            self.registers[register] = value
            return
        self.registers[REG_CONFIG] = value & ~OS_BIT & 0xFFFF
        if value & MODE_SINGLE and value & OS_BIT:
            self._busy = self.busy_polls
            if not self._busy:
                self._convert()

    def _read_register(self, register: int) -> int:
        config = self.registers[REG_CONFIG]
        if register == REG_CONFIG:
            if self._busy:
                self._busy -= 1
                if not self._busy:
                    self._convert()
                return config
            return config | OS_BIT if config & MODE_SINGLE else config
        if register == REG_CONVERSION and not config & MODE_SINGLE:
            self._convert()
        return self.registers[register]

    def _convert(self) -> None:
        config = self.registers[REG_CONFIG]
        mux, pga = (config >> 12) & 0x07, (config >> 9) & 0x07
        if mux >= 4:
            volts = self.voltages[mux - 4]
        else:
            positive, negative = DIFFERENTIAL[mux]
            volts = self.voltages[positive] - self.voltages[negative]
        self.conversions += 1
        self.registers[REG_CONVERSION] = (self.code_for(volts, pga) << 4) & 0xFFFF
