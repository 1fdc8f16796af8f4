"""Building contract-valid (and deliberately invalid) reading payloads for tests."""

from __future__ import annotations

import time

from sensormesh.contract import Reading, encode_readings


def reading(seq: int, fields: dict[str, float] | None = None, ts_ns: int | None = None) -> Reading:
    """A valid reading a minute in the past, one microsecond apart per ``seq``."""
    stamp = ts_ns if ts_ns is not None else time.time_ns() - 60_000_000_000 + seq * 1000
    return Reading(stamp, seq, fields or {"temperature": 20.0 + seq / 1000})


def payload(*readings: Reading) -> bytes:
    return encode_readings(list(readings))
