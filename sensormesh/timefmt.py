"""RFC 3339 timestamps as integer nanoseconds.

Readings are stored with the device's own timestamp so that a redelivered reading overwrites
itself in InfluxDB. That only works if the same string always maps to the same integer, so
nothing here goes through float seconds (``1733328000.123`` * 1e9 is not exact).
"""

from __future__ import annotations

import calendar
import re
import time

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})"
)


class TimestampError(ValueError):
    """A timestamp string that is not RFC 3339 with an explicit offset."""


def parse_rfc3339_ns(text: str) -> int:
    """Return nanoseconds since the Unix epoch for an RFC 3339 timestamp."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise TimestampError(f"not an RFC 3339 timestamp: {text[:40]!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        # timegm normalises out-of-range parts silently; reject them instead.
        if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59):
            raise ValueError
        if second > 59 or calendar.monthrange(year, month)[1] < day:
            raise ValueError
    except (ValueError, OverflowError):
        raise TimestampError(f"not a valid date/time: {text[:40]!r}") from None
    if offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        seconds -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    nanos = int((fraction or "").ljust(9, "0"))
    return seconds * NS_PER_S + nanos


def format_rfc3339_us(epoch_ns: int) -> str:
    """Format as UTC with microseconds: precise enough that two readings never share a stamp."""
    seconds, nanos = divmod(epoch_ns, NS_PER_S)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{nanos // 1000:06d}Z"
