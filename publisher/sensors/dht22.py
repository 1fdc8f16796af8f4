"""AM2302/DHT22 temperature and humidity on one GPIO, through adafruit-circuitpython-dht.

The library raises RuntimeError routinely (checksum, timeouts, "not found") and, when asked
again within 2 s of its previous attempt, hands back that attempt's cached values, which may
be stale or None. So this driver spaces its own attempts more than 2 s apart on the same clock
the library uses, retries a failed attempt once that spacing has passed, and reports a miss
rather than a cached value.
"""

from __future__ import annotations

from typing import Any

from publisher.sensors.base import DriverSpec, FieldSpec, Options, OptionSpec, Sensor, SensorError
from publisher.sensors.hardware import Hardware
from publisher.sensors.options import between, default_name_at, gpio_pin

KIND = "dht22"
DEFAULT_PIN = "D18"
MIN_SPACING_S = 2.1  # the library re-measures only when more than 2 s have passed
# BCM GPIO number -> physical header pin, so a log line can say where to look.
HEADER_PIN = {
    0: 27, 1: 28, 2: 3, 3: 5, 4: 7, 5: 29, 6: 31, 7: 26, 8: 24, 9: 21, 10: 19, 11: 23, 12: 32,
    13: 33, 14: 8, 15: 10, 16: 36, 17: 11, 18: 12, 19: 35, 20: 38, 21: 40, 22: 15, 23: 16,
    24: 18, 25: 22, 26: 37, 27: 13,
}  # fmt: skip


class Dht22:
    def __init__(self, device: Any, attempts: int, hardware: Hardware) -> None:
        self._device = device
        self._attempts = attempts
        self._hardware = hardware
        self._last_attempt: float | None = None

    def read(self) -> dict[str, float]:
        failures: list[str] = []
        for _ in range(self._attempts):
            self._wait_for_spacing()
            try:
                return self._measure()
            except RuntimeError as exc:
                failures.append(str(exc))
        raise SensorError(f"{len(failures)} attempt(s) failed: {_summarize(failures)}")

    def close(self) -> None:
        self._device.exit()

    def _wait_for_spacing(self) -> None:
        """Guarantee the library measures anew instead of answering from its 2 s cache."""
        if self._last_attempt is not None:
            wait = self._last_attempt + MIN_SPACING_S - self._hardware.monotonic()
            if wait > 0:
                self._hardware.sleep(wait)
        self._last_attempt = self._hardware.monotonic()

    def _measure(self) -> dict[str, float]:
        temperature = self._device.temperature  # measures: the spacing guarantees a new frame
        humidity = self._device.humidity  # same frame: within 2 s the library answers cached
        if temperature is None or humidity is None:
            raise RuntimeError("the library returned no value")
        return {"temperature": float(temperature), "humidity": float(humidity)}


def _summarize(failures: list[str]) -> str:
    counts = {text: failures.count(text) for text in failures}
    return "; ".join(text if n == 1 else f"{text} (x{n})" for text, n in counts.items())


def _open(options: Options, hardware: Hardware) -> Sensor:
    import adafruit_dht  # lazy: Adafruit code loads only on a node that has one

    pin_name, attempts = options["pin"], options["attempts"]
    assert isinstance(pin_name, str) and isinstance(attempts, int)
    pin = hardware.pin(pin_name)
    try:
        device = adafruit_dht.DHT22(pin)
    except (RuntimeError, OSError, ValueError) as exc:
        raise SensorError(f"cannot watch {pin_name}: {exc}") from exc
    return Dht22(device, attempts, hardware)


def describe_pin(name: object) -> str:
    """``D18`` -> ``GPIO 18 (header pin 12)``: what a person looks for on the board."""
    digits = str(name).removeprefix("D")
    if not digits.isdigit() or int(digits) not in HEADER_PIN:
        return f"pin {name}"
    return f"GPIO {digits} (header pin {HEADER_PIN[int(digits)]})"


DRIVER = DriverSpec(
    kind=KIND,
    summary="AM2302/DHT22 temperature and relative humidity on one GPIO pin.",
    aliases=("am2302",),
    fields=(
        FieldSpec("temperature", "°C", "temperature", "air temperature"),
        FieldSpec("humidity", "%", "humidity", "relative humidity"),
    ),
    options=(
        OptionSpec("pin", DEFAULT_PIN, "data pin in BCM numbering: D18, 18 or GPIO18", gpio_pin),
        OptionSpec(
            "attempts",
            "2",
            f"reads per sample, {MIN_SPACING_S:g} s apart, before counting a miss",
            between(int, 1, 5),
        ),
    ),
    at_option="pin",
    default_name=default_name_at(KIND, "pin", DEFAULT_PIN, lambda pin: str(pin).lower()),
    min_interval_s=MIN_SPACING_S,
    wiring="data to GPIO 18 (header pin 12) with a 10 kΩ pull-up to 3.3 V (built into most "
    "AM2302 modules), + to 3.3 V (pin 1), - to GND (pin 6)",
    location=lambda options: describe_pin(options.get("pin")),
    checks="the data wire is on the pin named, + on 3.3 V, - on GND, and a 10 kΩ pull-up "
    "joins data and 3.3 V",
    open=_open,
)
