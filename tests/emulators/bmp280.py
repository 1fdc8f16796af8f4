"""A Bosch BMP280 at register level (datasheet BST-BMP280-DS001, section 4 "Memory map").

What the emulated chip does, and nothing more:

- ``0xD0`` id reads 0x58; ``0xE0`` takes 0xB6 as a soft reset.
- ``0x88..0x9F`` hold the 12 calibration words, little-endian (T1 and P1 unsigned).
- ``0xF4`` ctrl_meas: writing forced mode (01 or 10) starts one conversion; ``0xF3`` status
  shows "measuring" (bit 3) for ``busy_polls`` reads, then the raw values land in the data
  registers and the mode falls back to sleep, as on the chip. Normal mode (11) converts on
  every data read. A measurement with its oversampling set to 0 is skipped (0x80000).
- ``0xF7..0xFC`` are press_msb/lsb/xlsb and temp_msb/lsb/xlsb: 20-bit raw values.

I2C writes are (register, value) pairs; reads auto-increment from the last register written.
The defaults are the worked example of the datasheet (section 3.11.3): 25.08 °C, 1006.53 hPa.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from tests.emulators.i2c import RegisterChip

CHIP_ID = 0x58
REG_CALIBRATION = 0x88
REG_CHIP_ID = 0xD0
REG_RESET = 0xE0
REG_STATUS = 0xF3
REG_CTRL_MEAS = 0xF4
REG_CONFIG = 0xF5
REG_PRESS = 0xF7
REG_TEMP = 0xFA
RESET_WORD = 0xB6
SKIPPED = 0x80000  # what the data registers hold for a skipped or not yet run measurement
STATUS_MEASURING = 0x08

CALIBRATION_ORDER = ("T1", "T2", "T3", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9")
DATASHEET_CALIBRATION: Mapping[str, int] = {
    "T1": 27504, "T2": 26435, "T3": -1000,
    "P1": 36477, "P2": -10685, "P3": 3024, "P4": 2855, "P5": 140, "P6": -7,
    "P7": 15500, "P8": -14600, "P9": 6000,
}  # fmt: skip
DATASHEET_ADC_T = 519888
DATASHEET_ADC_P = 415148


class Bmp280Chip(RegisterChip):
    def __init__(
        self,
        calibration: Mapping[str, int] = DATASHEET_CALIBRATION,
        adc_t: int = DATASHEET_ADC_T,
        adc_p: int = DATASHEET_ADC_P,
        chip_id: int = CHIP_ID,
        busy_polls: int = 1,
    ) -> None:
        super().__init__()
        self.adc_t = adc_t
        self.adc_p = adc_p
        self.busy_polls = busy_polls
        self.conversions = 0
        self.resets = 0
        self._busy = 0
        words = [calibration[name] for name in CALIBRATION_ORDER]
        self.registers[REG_CALIBRATION : REG_CALIBRATION + 24] = struct.pack(
            "<HhhHhhhhhhhh", *words
        )
        self.registers[REG_CHIP_ID] = chip_id
        self._reset()
        self.resets = 0

    def write(self, data: bytes) -> None:
        """BMP280 I2C writes are (register, value) pairs, not an auto-incrementing run."""
        if len(data) == 1:
            self.pointer = data[0]
        for register, value in zip(data[0::2], data[1::2], strict=False):
            self.pointer = register
            self.write_register(register, value)

    def read_register(self, register: int) -> int:
        if register == REG_STATUS:
            return self._poll_status()
        if register in (REG_PRESS, REG_TEMP) and self.registers[REG_CTRL_MEAS] & 0x03 == 0x03:
            self._convert()  # normal mode: the chip keeps the data registers current
        return self.registers[register]

    def write_register(self, register: int, value: int) -> None:
        if register == REG_RESET:
            if value == RESET_WORD:
                self._reset()
            return
        if register in (REG_CTRL_MEAS, REG_CONFIG):
            self.registers[register] = value
        if register == REG_CTRL_MEAS and value & 0x03 in (0x01, 0x02):
            self._busy = self.busy_polls
            if not self._busy:
                self._finish_forced()

    def _poll_status(self) -> int:
        if self._busy:
            self._busy -= 1
            if not self._busy:
                self._finish_forced()
            return STATUS_MEASURING
        return 0

    def _finish_forced(self) -> None:
        self._convert()
        self.registers[REG_CTRL_MEAS] &= 0xFC  # back to sleep mode

    def _convert(self) -> None:
        ctrl = self.registers[REG_CTRL_MEAS]
        self.conversions += 1
        self._store(REG_TEMP, self.adc_t if ctrl >> 5 else SKIPPED)
        self._store(REG_PRESS, self.adc_p if (ctrl >> 2) & 0x07 else SKIPPED)

    def _store(self, register: int, raw: int) -> None:
        self.registers[register : register + 3] = bytes(
            [(raw >> 12) & 0xFF, (raw >> 4) & 0xFF, (raw & 0x0F) << 4]
        )

    def _reset(self) -> None:
        self.resets += 1
        self._busy = 0
        self.registers[REG_STATUS] = 0
        self.registers[REG_CTRL_MEAS] = 0
        self.registers[REG_CONFIG] = 0
        self._store(REG_TEMP, SKIPPED)
        self._store(REG_PRESS, SKIPPED)
