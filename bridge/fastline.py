"""One step from payload to line for the payload nodes actually send, or None.

A node sends one reading per message, ``{"ts": ..., "seq": ..., "fields": {...}}`` with
float fields and no tags. For exactly that shape this module validates and formats in one
pass, without building a Reading. Anything else, valid or not, returns None and takes the
general path (``decode_readings`` + ``reading_line``), which also words every rejection; a
test holds that whenever this returns a line, the general path returns the same line.
"""

from __future__ import annotations

import math

from bridge.lineprotocol import series_key
from sensormesh.contract import (
    EARLIEST_TS_NS,
    MAX_CLOCK_AHEAD_NS,
    MAX_FIELDS,
    MAX_PAYLOAD_BYTES,
    allowed_field_name,
)
from sensormesh.fastparse import NOT_PARSED, orjson_loads, rfc3339_ns
from sensormesh.timefmt import TimestampError

_SHAPE = frozenset({"ts", "seq", "fields"})
_SEQ_LIMIT = 2**63


def simple_reading_line(
    measurement: str, device: str, sensor: str, payload: bytes, now_ns: int
) -> str | None:
    if len(payload) > MAX_PAYLOAD_BYTES:
        return None
    body = orjson_loads(payload)
    if body is NOT_PARSED or type(body) is not dict or body.keys() != _SHAPE:
        return None
    ts, seq, fields = body["ts"], body["seq"], body["fields"]
    if type(seq) is not int or not 0 <= seq < _SEQ_LIMIT or type(ts) is not str:
        return None
    if type(fields) is not dict or not 0 < len(fields) <= MAX_FIELDS:
        return None
    try:
        ts_ns = rfc3339_ns(ts)
    except TimestampError:
        return None
    if not EARLIEST_TS_NS <= ts_ns <= now_ns + MAX_CLOCK_AHEAD_NS:
        return None
    parts = []
    for name, value in fields.items():
        if type(value) is not float or not math.isfinite(value) or not allowed_field_name(name):
            return None
        parts.append(f"{name}={value!r}")
    return f"{series_key(measurement, device, sensor)}{','.join(parts)},seq={seq}i {ts_ns}"
