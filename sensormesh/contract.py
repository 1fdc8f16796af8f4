"""The MQTT contract between nodes and the bridge: topics and payload schema v1.

This is the one place that knows what a topic or a payload looks like. The publisher builds
messages with it, the bridge validates with it, and ``docs/mqtt.md`` describes it (a test keeps
the two in step).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sensormesh.fastparse import NOT_PARSED, orjson_loads, rfc3339_ns
from sensormesh.timefmt import NS_PER_S, TimestampError, format_rfc3339_us

READINGS_ROOT = "sensors"
STATUS_SENSOR = "status"
DEADLETTER_TOPIC = "sensormesh/deadletter"
READINGS_QOS = 1
STATUS_QOS = 1
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_FIELDS = 64
MAX_TAGS = 16

SENSOR_NAME = re.compile(r"[a-z0-9_@-]{1,64}")  # @: bmp280@0x76
DEVICE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
KEY_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
TAG_VALUE = re.compile(r"[^\x00-\x1f\x7f\\]{1,256}")
RESERVED_TAGS = frozenset({"device", "sensor"})
RESERVED_FIELDS = frozenset({"seq"})

EARLIEST_TS_NS = 1_577_836_800 * NS_PER_S  # 2020-01-01T00:00:00Z
MAX_CLOCK_AHEAD_NS = 5 * 60 * NS_PER_S


class InvalidMessage(ValueError):
    """A message that breaks the contract. ``cause`` is short and stable, for counting."""

    def __init__(self, cause: str, detail: str = "") -> None:
        super().__init__(f"{cause}: {detail}" if detail else cause)
        self.cause = cause


def reading_topic(device: str, sensor: str) -> str:
    return f"{READINGS_ROOT}/{device}/{sensor}"


def status_topic(device: str) -> str:
    return f"{READINGS_ROOT}/{device}/{STATUS_SENSOR}"


def bridge_subscription(group: str) -> str:
    """Shared subscription, so replicas in one group split the stream instead of copying it."""
    return f"$share/{group}/{READINGS_ROOT}/+/+"


def validate_device_name(name: str) -> str | None:
    """Return a problem description, or None when the name may be used as a topic level."""
    if DEVICE_NAME.fullmatch(name):
        return None
    return f"device name {name!r} must be 1-64 of A-Z a-z 0-9 _ . -"


def validate_sensor_name(name: str) -> str | None:
    if name == STATUS_SENSOR:
        return f"sensor name {name!r} is reserved for availability messages"
    if SENSOR_NAME.fullmatch(name):
        return None
    return f"sensor name {name!r} must be 1-64 of a-z 0-9 _ - @"


@dataclass(frozen=True)
class TopicAddress:
    device: str
    sensor: str

    @property
    def is_status(self) -> bool:
        return self.sensor == STATUS_SENSOR


@functools.lru_cache(maxsize=4096)  # a fleet has few topics, each seen on every reading
def parse_topic(topic: str) -> TopicAddress:
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != READINGS_ROOT:
        raise InvalidMessage("bad_topic", f"expected {READINGS_ROOT}/<device>/<sensor>")
    device, sensor = parts[1], parts[2]
    if not DEVICE_NAME.fullmatch(device):
        raise InvalidMessage("bad_topic", "device level has characters outside A-Za-z0-9_.-")
    if sensor != STATUS_SENSOR and not SENSOR_NAME.fullmatch(sensor):
        raise InvalidMessage("bad_topic", "sensor level has characters outside a-z0-9_@-")
    return TopicAddress(device, sensor)


@dataclass(frozen=True)
class Reading:
    """One sample of one sensor. ``ts_ns`` is the node's clock, integer nanoseconds."""

    ts_ns: int
    seq: int
    fields: Mapping[str, float]
    tags: Mapping[str, str] = field(default_factory=dict)

    def to_json_obj(self) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "ts": format_rfc3339_us(self.ts_ns),
            "seq": self.seq,
            "fields": dict(self.fields),
        }
        if self.tags:
            obj["tags"] = dict(self.tags)
        return obj


def encode_readings(readings: list[Reading]) -> bytes:
    """One reading as an object; several (a replayed backlog) as an array."""
    body: Any = (
        readings[0].to_json_obj() if len(readings) == 1 else [r.to_json_obj() for r in readings]
    )
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()


def _reject_constant(name: str) -> Any:
    raise InvalidMessage("non_finite_value", f"{name} is not a number JSON allows")


def load_json(payload: bytes) -> Any:
    """orjson for speed; the stdlib for anything orjson refuses or would round."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise InvalidMessage("oversized", f"{len(payload)} bytes > {MAX_PAYLOAD_BYTES}")
    body = orjson_loads(payload)
    if body is not NOT_PARSED:
        return body
    try:
        return json.loads(payload, parse_constant=_reject_constant)
    except InvalidMessage:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidMessage("not_json", str(exc)[:80]) from None


def decode_readings(payload: bytes, now_ns: int) -> list[Reading]:
    """Validate a readings payload against the v1 schema and the bridge's clock."""
    body = load_json(payload)
    items = body if isinstance(body, list) else [body]
    if not items:
        raise InvalidMessage("bad_shape", "empty array")
    return [_decode_one(item, now_ns) for item in items]


_READING_KEYS = frozenset({"ts", "seq", "fields", "tags"})


def _decode_one(obj: Any, now_ns: int) -> Reading:
    if not isinstance(obj, dict):
        raise InvalidMessage("bad_shape", "a reading must be a JSON object")
    if not obj.keys() <= _READING_KEYS:
        unknown = set(obj) - _READING_KEYS
        raise InvalidMessage("bad_shape", f"unknown keys {sorted(unknown)[:3]}")
    return Reading(
        ts_ns=_check_ts(obj.get("ts"), now_ns),
        seq=_check_seq(obj.get("seq")),
        fields=_check_fields(obj.get("fields")),
        tags=_check_tags(obj.get("tags", {})),
    )


def _check_ts(value: Any, now_ns: int) -> int:
    if not isinstance(value, str):
        raise InvalidMessage("bad_timestamp", "ts must be an RFC 3339 string")
    try:
        ts_ns = rfc3339_ns(value)
    except TimestampError as exc:
        raise InvalidMessage("bad_timestamp", str(exc)) from None
    if ts_ns < EARLIEST_TS_NS:
        raise InvalidMessage("clock_unsynced", f"ts {value} is before 2020: node clock not set")
    if ts_ns > now_ns + MAX_CLOCK_AHEAD_NS:
        raise InvalidMessage("clock_unsynced", f"ts {value} is more than 5 min in the future")
    return ts_ns


def _check_seq(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidMessage("bad_seq", "seq must be an integer >= 0")
    if value >= 2**63:
        raise InvalidMessage("bad_seq", "seq does not fit a 64-bit integer")
    return value


def _check_fields(value: Any) -> dict[str, float]:
    if not isinstance(value, dict) or not value:
        raise InvalidMessage("bad_fields", "fields must be a non-empty object")
    if len(value) > MAX_FIELDS:
        raise InvalidMessage("bad_fields", f"more than {MAX_FIELDS} fields")
    fields: dict[str, float] = {}
    for name, number in value.items():
        if not allowed_field_name(name):
            raise InvalidMessage("bad_fields", f"field name {name[:64]!r} not allowed")
        if type(number) is float and math.isfinite(number):
            fields[name] = number  # the usual case, decided without the checks below
            continue
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise InvalidMessage("non_numeric_value", f"field {name!r} is not a number")
        try:
            as_float = float(number)
        except OverflowError:
            raise InvalidMessage("non_finite_value", f"field {name!r} overflows") from None
        if not math.isfinite(as_float):
            raise InvalidMessage("non_finite_value", f"field {name!r} is not finite")
        fields[name] = as_float
    return fields


@functools.lru_cache(maxsize=1024)
def allowed_field_name(name: str) -> bool:
    """Memoised: a fleet uses a handful of field names, checked on every reading."""
    return KEY_NAME.fullmatch(name) is not None and name not in RESERVED_FIELDS


def _check_tags(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidMessage("bad_tags", "tags must be an object of strings")
    if len(value) > MAX_TAGS:
        raise InvalidMessage("bad_tags", f"more than {MAX_TAGS} tags")
    for key, text in value.items():
        if not KEY_NAME.fullmatch(key) or key in RESERVED_TAGS:
            raise InvalidMessage("bad_tags", f"tag key {key[:64]!r} not allowed")
        if not isinstance(text, str) or not TAG_VALUE.fullmatch(text):
            raise InvalidMessage("bad_tags", f"tag {key!r} must be 1-256 printable characters")
    return dict(value)


@dataclass(frozen=True)
class Status:
    """Availability and health of one node, retained on ``sensors/<device>/status``.

    ``sensors`` maps each sensor to its fields and their units, so a viewer can label
    values without knowing the driver. ``misses`` counts consecutive failed reads per
    sensor; ``dropped`` counts readings the node had to discard (outbox full).
    """

    online: bool
    ts_ns: int | None = None
    version: str = ""
    sensors: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    misses: Mapping[str, int] = field(default_factory=dict)
    dropped: int = 0

    def to_payload(self) -> bytes:
        if not self.online:
            return offline_payload()
        obj: dict[str, Any] = {
            "state": "online",
            "ts": format_rfc3339_us(self.ts_ns or 0),
            "version": self.version,
            "sensors": {k: dict(v) for k, v in self.sensors.items()},
            "misses": dict(self.misses),
            "dropped": self.dropped,
        }
        return json.dumps(obj, separators=(",", ":")).encode()


def offline_payload() -> bytes:
    """Fixed bytes, because it doubles as the MQTT last will registered at connect time."""
    return b'{"state":"offline"}'


def decode_status(payload: bytes, now_ns: int) -> Status:
    body = load_json(payload)
    if not isinstance(body, dict) or body.get("state") not in ("online", "offline"):
        raise InvalidMessage("bad_status", 'status needs "state": "online" or "offline"')
    ts_ns = _check_ts(body["ts"], now_ns) if "ts" in body else None
    misses = body.get("misses", {})
    dropped = body.get("dropped", 0)
    if not isinstance(misses, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in misses.values()
    ):
        raise InvalidMessage("bad_status", "misses must map sensor names to integers")
    if isinstance(dropped, bool) or not isinstance(dropped, int):
        raise InvalidMessage("bad_status", "dropped must be an integer")
    sensors = body.get("sensors", {})
    if not isinstance(sensors, dict):
        raise InvalidMessage("bad_status", "sensors must be an object")
    return Status(
        online=body["state"] == "online",
        ts_ns=ts_ns,
        version=str(body.get("version", "")),
        sensors=sensors,
        misses=misses,
        dropped=dropped,
    )
