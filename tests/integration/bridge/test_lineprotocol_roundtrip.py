"""What the bridge's hand-written line protocol stores in the real InfluxDB reads back exactly.

The hot path builds lines by hand (and may take fast paths for common payloads), so these
tests write awkward but valid readings through the real intake and writer into influxd and
compare every stored value bit for bit: tag escaping, float fields, integer seq, and integer
nanosecond timestamps from every timestamp form the contract accepts.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bridge.config import load_bridge_config
from bridge.intake import message_lines
from bridge.writer import InfluxWriter
from sensormesh.localrun.mesh import LocalMesh
from sensormesh.timefmt import parse_rfc3339_ns

pytestmark = pytest.mark.integration

NOW_NS = parse_rfc3339_ns("2026-06-01T12:00:00Z")

AWKWARD_FLOATS = [
    0.1,
    1 / 3,
    2 / 3 * 1e-300,
    5e-324,
    1.7976931348623157e308,
    -273.15,
    123456789012345.67,
    9007199254740993,  # an int beyond 2**53: stored as the nearest double, like float() gives
    42,
    1e21,
    -1.5e-7,
]

AWKWARD_TAGS = {
    "room": "kitchen, north wall",
    "spot": "a=b c=d",
    "label": "quoted \"name\" and 'single'",
    "owner": "Zoë 😀 ünïcode",
    "trail": "ends with space ",
}

TIMESTAMPS = {
    "2026-06-01T11:59:59.123456789Z": parse_rfc3339_ns("2026-06-01T11:59:59.123456789Z"),
    "2026-06-01T13:59:58.5+02:00": parse_rfc3339_ns("2026-06-01T11:59:58.5Z"),
    "2026-06-01T11:59:57z": parse_rfc3339_ns("2026-06-01T11:59:57Z"),
    "2026-06-01T11:59:56.000001Z": parse_rfc3339_ns("2026-06-01T11:59:56Z") + 1000,
    "2026-06-01T06:29:55.987654321-05:30": parse_rfc3339_ns("2026-06-01T11:59:55.987654321Z"),
}


def _store(mesh: LocalMesh, topic: str, payloads: list[bytes]) -> None:
    config = load_bridge_config(mesh.bridge_env())
    lines = [line for p in payloads for line in message_lines(config.influx, topic, p, NOW_NS)]
    writer = InfluxWriter(config.influx)
    try:
        assert writer.write(lines) == []
    finally:
        writer.close()


def _rows(mesh: LocalMesh, device: str) -> list[dict[str, Any]]:
    series = mesh.influx.query(f"SELECT * FROM readings WHERE device = '{device}'")
    assert len(series) == 1
    columns = series[0]["columns"]
    return [dict(zip(columns, values, strict=True)) for values in series[0]["values"]]


def test_float_fields_read_back_as_the_same_doubles(mesh: LocalMesh) -> None:
    fields = {f"f{i}": value for i, value in enumerate(AWKWARD_FLOATS)}
    payload = {"ts": "2026-06-01T11:00:00.000001Z", "seq": 2**63 - 1, "fields": fields}
    _store(mesh, "sensors/node-a/mock", [json.dumps(payload).encode()])

    [row] = _rows(mesh, "node-a")
    for name, value in fields.items():
        assert float(row[name]) == float(value), name
    assert row["seq"] == 2**63 - 1
    assert row["time"] == parse_rfc3339_ns("2026-06-01T11:00:00.000001Z")
    assert row["sensor"] == "mock"


def test_integer_valued_fields_are_stored_as_floats(mesh: LocalMesh) -> None:
    _store(mesh, "sensors/node-a/mock", [b'{"ts":"2026-06-01T11:00:00Z","seq":1,"fields":{"x":7}}'])
    _store(
        mesh, "sensors/node-b/mock", [b'{"ts":"2026-06-01T11:00:00Z","seq":1,"fields":{"x":7.5}}']
    )
    # A field that was an integer in one write and a float in another would be a type
    # conflict (400) in InfluxDB; both landing proves 7 was written as a float.
    series = mesh.influx.query('SELECT "x" FROM readings GROUP BY "device"')
    assert sorted(s["values"][0][1] for s in series) == [7, 7.5]


def test_tag_values_with_spaces_commas_equals_and_unicode_survive(mesh: LocalMesh) -> None:
    payload = {"ts": "2026-06-01T11:00:00Z", "seq": 0, "fields": {"t": 1.0}, "tags": AWKWARD_TAGS}
    _store(mesh, "sensors/node-c/bmp280-0x77", [json.dumps(payload).encode()])

    [row] = _rows(mesh, "node-c")
    assert {key: row[key] for key in AWKWARD_TAGS} == AWKWARD_TAGS
    assert row["sensor"] == "bmp280-0x77"


def test_every_timestamp_form_is_stored_at_its_exact_nanosecond(mesh: LocalMesh) -> None:
    payloads = [
        json.dumps({"ts": text, "seq": i, "fields": {"v": float(i)}}).encode()
        for i, text in enumerate(TIMESTAMPS)
    ]
    batch = json.dumps([json.loads(p) for p in payloads[:2]]).encode()  # a replayed backlog
    _store(mesh, "sensors/node-a/mock", [batch, *payloads[2:]])

    stored = {row["seq"]: row["time"] for row in _rows(mesh, "node-a")}
    assert stored == {i: ns for i, ns in enumerate(TIMESTAMPS.values())}
