"""TI ADS1015 12-bit ADC on I2C, through adafruit-circuitpython-ads1x15 (3.x API).

Single-ended channels only: each selected input becomes a field ``a0``..``a3`` in volts. The
gain sets the full-scale range; readings beyond it clip, so pick the smallest range that still
covers the signal.
"""

from __future__ import annotations

from typing import Any

from publisher.sensors.base import DriverSpec, FieldSpec, Options, OptionSpec, Sensor, SensorError
from publisher.sensors.hardware import Hardware
from publisher.sensors.options import default_name_at, hex_address, i2c_address, i2c_location

KIND = "ads1015"
DEFAULT_ADDRESS = 0x49
ADDRESSES = (0x48, 0x49, 0x4A, 0x4B)
GAINS: dict[str, float] = {"2/3": 2 / 3, "1": 1, "2": 2, "4": 4, "8": 8, "16": 16}
FULL_SCALE_V = {"2/3": 6.144, "1": 4.096, "2": 2.048, "4": 1.024, "8": 0.512, "16": 0.256}
CHANNELS = (0, 1, 2, 3)
VOLT_DIGITS = 6  # well below the 0.125 mV step at the highest gain

INPUTS = tuple(FieldSpec(f"a{ch}", "V", "voltage", f"input A{ch} against GND") for ch in CHANNELS)


def parse_gain(text: str) -> float:
    gain = GAINS.get(text.strip())
    if gain is None:
        ranges = ", ".join(f"{g} (±{v:g} V)" for g, v in FULL_SCALE_V.items())
        raise ValueError(f"choose one of {ranges}")
    return gain


def render_gain(gain: object) -> str:
    return next((text for text, value in GAINS.items() if value == gain), str(gain))


def parse_channels(text: str) -> tuple[int, ...]:
    """``0123``, ``0+2`` or ``a0+a2``: which single-ended inputs to read."""
    digits = text.strip().lower().replace("a", "").replace("+", "")
    if not digits or any(d not in "0123" for d in digits) or len(set(digits)) != len(digits):
        raise ValueError("list inputs 0-3 once each, e.g. 0123 or 0+2")
    return tuple(sorted(int(d) for d in digits))


def render_channels(channels: object) -> str:
    return "".join(str(ch) for ch in channels) if isinstance(channels, tuple) else str(channels)


class Ads1015:
    def __init__(self, inputs: list[tuple[str, Any]]) -> None:
        self._inputs = inputs

    def read(self) -> dict[str, float]:
        """Each ``voltage`` runs a single-shot conversion and waits for it: always fresh."""
        return {name: round(float(analog.voltage), VOLT_DIGITS) for name, analog in self._inputs}

    def close(self) -> None:
        return None


def _open(options: Options, hardware: Hardware) -> Sensor:
    import adafruit_ads1x15  # lazy: Adafruit code loads only on a node that has one
    from adafruit_ads1x15.ads1x15 import Pin

    address, gain, channels = options["address"], options["gain"], options["channels"]
    assert isinstance(address, int) and isinstance(gain, float | int)
    assert isinstance(channels, tuple)
    bus = hardware.i2c()
    try:
        ads = adafruit_ads1x15.ADS1015(bus, gain=gain, address=address)
    except ValueError as exc:  # adafruit_bus_device's probe: nothing acknowledged the address
        raise SensorError(f"no chip answers at 0x{address:02x}") from exc
    pins = (Pin.A0, Pin.A1, Pin.A2, Pin.A3)
    return Ads1015([(f"a{ch}", adafruit_ads1x15.AnalogIn(ads, pins[ch])) for ch in channels])


def _fields(options: Options) -> tuple[FieldSpec, ...]:
    channels = options.get("channels")
    if not isinstance(channels, tuple):
        return INPUTS
    return tuple(INPUTS[ch] for ch in channels)


DRIVER = DriverSpec(
    kind=KIND,
    summary="TI ADS1015 4-channel 12-bit ADC (Enviro-pHAT analog inputs) on I2C.",
    fields=INPUTS,
    active_fields=_fields,
    options=(
        OptionSpec(
            "address",
            "0x49",
            "I2C address: 0x49 (Enviro-pHAT), 0x48 (older boards), 0x4a, 0x4b",
            i2c_address(ADDRESSES),
            hex_address,
        ),
        OptionSpec(
            "gain",
            "1",
            "full scale: 2/3 ±6.144 V, 1 ±4.096 V, 2 ±2.048 V, 4 ±1.024 V, 8 ±0.512 V, 16 ±0.256 V",
            parse_gain,
            render_gain,
        ),
        OptionSpec(
            "channels",
            "0123",
            "inputs to read, e.g. 0123 or 0+2",
            parse_channels,
            render_channels,
        ),
    ),
    at_option="address",
    default_name=default_name_at(KIND, "address", DEFAULT_ADDRESS, hex_address),
    wiring="I2C bus 1 (SDA GPIO 2 pin 3, SCL GPIO 3 pin 5), 3.3 V; address 0x49 on the "
    "Enviro-pHAT (0x48 on older boards); inputs between GND and the ADC supply",
    location=i2c_location,
    checks="the board is seated and I2C is enabled; `i2cdetect -y 1` must show the address "
    "(49 on the Enviro-pHAT, 48 on older boards: then use ads1015@0x48)",
    open=_open,
)
