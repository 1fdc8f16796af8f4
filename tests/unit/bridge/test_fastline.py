"""The one-step fast path never disagrees with the general decode-then-format path."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bridge.fastline import simple_reading_line
from bridge.lineprotocol import reading_line
from sensormesh.contract import InvalidMessage, decode_readings
from sensormesh.timefmt import format_rfc3339_us, parse_rfc3339_ns

NOW_NS = parse_rfc3339_ns("2026-06-01T12:00:00Z")

timestamps = st.one_of(
    st.integers(NOW_NS - 10**17, NOW_NS + 10**12).map(format_rfc3339_us),
    st.sampled_from(
        ["2026-06-01T11:59:59.5+01:00", "2019-12-31T23:59:59.999999Z", "2026-06-01T12:04:59Z",
         "2026-06-01T12:05:00.000001Z", "2026-13-01T00:00:00.1Z", "yesterday", ""]
    ),
    st.integers(),
)  # fmt: skip
numbers = st.one_of(
    st.floats(), st.integers(-(2**70), 2**70), st.booleans(), st.text(max_size=3), st.none()
)
field_names = st.one_of(
    st.sampled_from(["temperature", "humidity", "a.b-c_9"]),
    st.sampled_from(["seq", "x y", "", "é"]),
    st.text(),
)
fields = st.one_of(
    st.dictionaries(field_names, st.floats(allow_nan=False, allow_infinity=False), min_size=1),
    st.dictionaries(field_names, st.one_of(st.floats(), numbers), max_size=66),
    st.lists(numbers),
)
bodies = st.fixed_dictionaries(
    {
        "ts": timestamps,
        "seq": st.one_of(st.integers(0, 2**63 + 5), st.integers(-5, -1), st.booleans()),
        "fields": fields,
    },
    optional={"tags": st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
              "extra": st.none()},
)  # fmt: skip


def general(payload: bytes) -> str | None:
    try:
        readings = decode_readings(payload, NOW_NS)
    except InvalidMessage:
        return None
    if len(readings) != 1:
        return None
    return reading_line("readings", "node-1", "mock", readings[0])


@settings(max_examples=400)
@given(bodies)
@example({"ts": "2026-06-01T11:00:00.000001Z", "seq": 3, "fields": {"t": 21.5, "h": 1e-300}})
@example({"ts": "2026-06-01T11:00:00Z", "seq": 2**63, "fields": {"t": 21.5}})
@example({"ts": "2026-06-01T11:00:00Z", "seq": 1, "fields": {"t": 21}})
def test_fast_line_is_the_general_line_or_none(body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    fast = simple_reading_line("readings", "node-1", "mock", payload, NOW_NS)
    if fast is not None:
        assert fast == general(payload)


def test_the_usual_node_payload_takes_the_fast_path() -> None:
    payload = b'{"ts":"2026-06-01T11:00:00.000001Z","seq":3,"fields":{"t":21.5,"p":1013.25}}'
    expected = "readings,device=node-1,sensor=mock t=21.5,p=1013.25,seq=3i 1780311600000001000"
    assert simple_reading_line("readings", "node-1", "mock", payload, NOW_NS) == expected
    assert general(payload) == expected


def test_payloads_the_fast_path_leaves_to_the_general_one() -> None:
    for payload in (
        b'{"ts":"2026-06-01T11:00:00Z","seq":3,"fields":{"t":21}}',  # integer field
        b'{"ts":"2026-06-01T11:00:00Z","seq":3,"fields":{"t":1.0},"tags":{"r":"a"}}',
        b'[{"ts":"2026-06-01T11:00:00Z","seq":3,"fields":{"t":1.0}}]',  # a backlog
        b'{"ts":"2026-06-01T11:00:00Z","seq":3,"fields":{"t":NaN}}',
        b'{"ts":"2026-06-01T11:00:00Z","seq":99999999999999999999,"fields":{"t":1.0}}',
    ):
        assert simple_reading_line("readings", "node-1", "mock", payload, NOW_NS) is None
