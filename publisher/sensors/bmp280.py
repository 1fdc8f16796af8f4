"""Bosch BMP280 temperature and pressure on I2C, through adafruit-circuitpython-bmp280.

The Enviro-pHAT puts it at 0x77; bare breakouts often strap it to 0x76. Altitude is only a
field when a sea-level pressure is configured, because without one it is a guess dressed up
as a measurement.
"""

from __future__ import annotations

from typing import Any

from publisher.sensors.base import DriverSpec, FieldSpec, Options, OptionSpec, Sensor, SensorError
from publisher.sensors.hardware import Hardware
from publisher.sensors.options import (
    between,
    default_name_at,
    hex_address,
    i2c_address,
    i2c_location,
)

KIND = "bmp280"
DEFAULT_ADDRESS = 0x77
ADDRESSES = (0x77, 0x76)
ALTITUDE_EXPONENT = 0.1903  # the barometric formula as the Adafruit driver uses it

TEMPERATURE = FieldSpec("temperature", "°C", "temperature", "air temperature")
PRESSURE = FieldSpec("pressure", "hPa", "atmospheric_pressure", "barometric pressure")
ALTITUDE = FieldSpec(
    "altitude", "m", None, "altitude from pressure; only with sea_level_pressure set"
)


class Bmp280:
    def __init__(self, chip: Any, sea_level_hpa: float | None) -> None:
        self._chip = chip
        self._sea_level_hpa = sea_level_hpa

    def read(self) -> dict[str, float]:
        """Each property triggers a forced-mode conversion, so every value is fresh."""
        temperature = float(self._chip.temperature)
        pressure = self._chip.pressure
        if pressure is None:
            raise SensorError("the BMP280 reported no pressure (pressure oversampling off)")
        values = {"temperature": round(temperature, 2), "pressure": round(float(pressure), 2)}
        if self._sea_level_hpa is not None:
            ratio = float(pressure) / self._sea_level_hpa
            values["altitude"] = round(44330.0 * (1.0 - ratio**ALTITUDE_EXPONENT), 1)
        return values

    def close(self) -> None:
        return None


def _open(options: Options, hardware: Hardware) -> Sensor:
    import adafruit_bmp280  # lazy: Adafruit code loads only on a node that has one

    address = options["address"]
    assert isinstance(address, int)
    bus = hardware.i2c()
    try:
        chip = adafruit_bmp280.Adafruit_BMP280_I2C(bus, address=address)
    except ValueError as exc:  # adafruit_bus_device's probe: nothing acknowledged the address
        raise SensorError(f"no chip answers at 0x{address:02x}") from exc
    except RuntimeError as exc:  # something answered, but its chip id is not 0x58
        raise SensorError(f"the chip at 0x{address:02x} is not a BMP280: {exc}") from exc
    sea_level = options.get("sea_level_pressure")
    if isinstance(sea_level, float):
        chip.sea_level_pressure = sea_level
        return Bmp280(chip, sea_level)
    return Bmp280(chip, None)


def _fields(options: Options) -> tuple[FieldSpec, ...]:
    if options.get("sea_level_pressure") is None:
        return (TEMPERATURE, PRESSURE)
    return (TEMPERATURE, PRESSURE, ALTITUDE)


DRIVER = DriverSpec(
    kind=KIND,
    summary="Bosch BMP280 temperature and barometric pressure (Enviro-pHAT) on I2C.",
    fields=(TEMPERATURE, PRESSURE, ALTITUDE),
    active_fields=_fields,
    options=(
        OptionSpec(
            "address",
            "0x77",
            "I2C address: 0x77 (Enviro-pHAT) or 0x76",
            i2c_address(ADDRESSES),
            hex_address,
        ),
        OptionSpec(
            "sea_level_pressure",
            "",
            "sea-level pressure in hPa; adds the altitude field",
            between(float, 800.0, 1100.0),
        ),
    ),
    at_option="address",
    default_name=default_name_at(KIND, "address", DEFAULT_ADDRESS, hex_address),
    wiring="I2C bus 1 (SDA GPIO 2 pin 3, SCL GPIO 3 pin 5), 3.3 V; address 0x77 on the "
    "Enviro-pHAT, 0x76 on breakouts with SDO to GND",
    location=i2c_location,
    checks="the board is seated and I2C is enabled; `i2cdetect -y 1` must show the address "
    "(77 on the Enviro-pHAT, often 76 on breakouts: then use bmp280@0x76)",
    open=_open,
)
