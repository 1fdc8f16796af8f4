"""InfluxDB line protocol, written by hand because it is the bridge's hot path.

Names (device, sensor, field and tag keys) are restricted by the contract to characters that
need no escaping; only tag values may hold spaces, commas or equals signs. Floats use
``repr``, the shortest text that reads back to the same double; timestamps are integer ns.
"""

from __future__ import annotations

import functools

from sensormesh.contract import Reading, Status

_TAG_VALUE_ESCAPES = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ "})


def escape_tag_value(value: str) -> str:
    return value.translate(_TAG_VALUE_ESCAPES)


def format_float(value: float) -> str:
    return repr(float(value))


def reading_line(measurement: str, device: str, sensor: str, reading: Reading) -> str:
    if reading.tags:
        tags = {"device": device, "sensor": sensor, **reading.tags}
        tag_text = ",".join(f"{key}={escape_tag_value(tags[key])}" for key in sorted(tags))
        series = f"{measurement},{tag_text} "
    else:
        series = series_key(measurement, device, sensor)
    field_text = ",".join([f"{name}={float(value)!r}" for name, value in reading.fields.items()])
    return f"{series}{field_text},seq={reading.seq}i {reading.ts_ns}"


@functools.lru_cache(maxsize=4096)
def series_key(measurement: str, device: str, sensor: str) -> str:
    """Measurement and tags of a reading without payload tags, the same on every reading."""
    return f"{measurement},device={escape_tag_value(device)},sensor={escape_tag_value(sensor)} "


def status_line(measurement: str, device: str, status: Status, received_ns: int) -> str:
    """Availability as a point; an offline will carries no time, so use when it arrived."""
    fields = f"online={1 if status.online else 0}i"
    if status.online:
        fields += f",misses={sum(status.misses.values())}i,dropped={status.dropped}i"
    ts_ns = status.ts_ns if status.ts_ns is not None else received_ns
    return f"{measurement},device={escape_tag_value(device)} {fields} {ts_ns}"
