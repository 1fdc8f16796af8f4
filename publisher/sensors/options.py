"""Parsers for the option values people type into ``SENSORS``.

Each parser raises ValueError with a message that completes the sentence
"``SENSORS: bmp280: address='0x99' is invalid: ...``", so the person sees what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from publisher.sensors.base import Options

N = TypeVar("N", int, float)

GPIO_PIN = re.compile(r"(?:d|gpio|bcm)?(\d{1,2})")
HIGHEST_HEADER_GPIO = 27


def i2c_address(allowed: Sequence[int]) -> Callable[[str], int]:
    """``0x76`` or ``76``: always hex, as ``i2cdetect -y 1`` prints it; only the chip's choices."""
    choices = ", ".join(f"0x{a:02x}" for a in allowed)

    def parse(text: str) -> int:
        raw = text.strip().lower().removeprefix("0x")
        try:
            value = int(raw, 16)
        except ValueError:
            raise ValueError(f"not an I2C address (use one of {choices})") from None
        if value not in allowed:
            raise ValueError(f"this chip answers only at {choices}")
        return value

    return parse


def gpio_pin(text: str) -> str:
    """``D18``, ``18`` or ``GPIO18`` (BCM numbering) -> Blinka's board name ``D18``."""
    match = GPIO_PIN.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) > HIGHEST_HEADER_GPIO:
        raise ValueError(f"use a header GPIO in BCM numbering, D0..D{HIGHEST_HEADER_GPIO}")
    return f"D{int(match.group(1))}"


def between(kind: Callable[[str], N], low: N, high: N) -> Callable[[str], N]:
    """A number within the range the chip or the library accepts."""
    noun = "whole number" if kind is int else "number"

    def parse(text: str) -> N:
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(f"not a {noun} between {low:g} and {high:g}") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def default_name_at(
    kind: str, option: str, default: object, render: Callable[[object], str]
) -> Callable[[Options], str]:
    """Name an instance ``kind`` at its default address/pin and ``kind@<value>`` elsewhere.

    The non-default name is exactly what a person types to select it (``bmp280@0x76``), so two
    chips of one kind get distinct topics without an explicit ``name=``.
    """

    def name(options: Options) -> str:
        value = options.get(option)
        return kind if value is None or value == default else f"{kind}@{render(value)}"

    return name


def hex_address(value: object) -> str:
    return f"0x{value:02x}" if isinstance(value, int) else str(value)


def i2c_location(options: Options) -> str:
    return f"I2C {hex_address(options.get('address'))}"
