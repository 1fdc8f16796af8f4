"""Fast paths for the bridge's per-message parsing, each exactly equal to the slow path.

The bridge decodes every reading on paho's network thread, which is the bridge's ceiling.
Each function here returns what the plain stdlib code would, or hands the input back to it.
"""

from __future__ import annotations

import functools
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # the broker image's first boot imports the contract on Debian's python3
    _orjson = None  # type: ignore[assignment]

from sensormesh.timefmt import TimestampError, parse_rfc3339_ns

NOT_PARSED = object()
# Every ASCII digit becomes "0" and every other byte a space: a run of 19 digits is then a
# plain substring search, much faster than a regular expression over the payload.
_DIGIT_MASK = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_DIGIT_RUN = b"0" * 19


def orjson_loads(payload: bytes) -> Any:
    """orjson's result, or ``NOT_PARSED`` when the stdlib must decide.

    orjson refuses NaN, lone surrogates, a BOM and non-UTF-8 text, and where both parse
    they give the same value, except that orjson turns an integer outside 64 bits (signed
    below zero, unsigned above) into a float: any run of 19 or more digits therefore goes
    to the stdlib too (every 18-digit integer fits).
    """
    if _orjson is None or _LONG_DIGIT_RUN in payload.translate(_DIGIT_MASK):
        return NOT_PARSED
    try:
        return _orjson.loads(payload)
    except _orjson.JSONDecodeError:
        return NOT_PARSED


def rfc3339_ns(text: str) -> int:
    """``parse_rfc3339_ns``, with the whole second of the usual UTC form memoised.

    Nodes send ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; every reading of one second shares its first
    19 characters, so only the fraction is new work. Anything else, and any error, goes
    through ``parse_rfc3339_ns`` itself, so results and messages are unchanged.
    """
    if 22 <= len(text) <= 30 and text[19] == "." and text[-1] in "Zz":
        fraction = text[20:-1]
        if fraction.isascii() and fraction.isdigit():
            try:
                return _whole_second_ns(text[:19]) + int(fraction.ljust(9, "0"))
            except TimestampError:
                pass
    return parse_rfc3339_ns(text)


@functools.lru_cache(maxsize=4096)
def _whole_second_ns(date_time: str) -> int:
    return parse_rfc3339_ns(date_time + "Z")
