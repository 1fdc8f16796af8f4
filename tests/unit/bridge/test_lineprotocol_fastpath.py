"""Line protocol text: the memoised tagless fast path equals the general construction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bridge.lineprotocol import escape_tag_value, reading_line
from sensormesh.contract import DEVICE_NAME, Reading

names = st.from_regex(DEVICE_NAME, fullmatch=True)
fields = st.dictionaries(
    st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
    st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**60), 2**60),
    min_size=1,
    max_size=5,
)


def general_line(measurement: str, device: str, sensor: str, reading: Reading) -> str:
    """The construction for any reading: every tag sorted by key and escaped."""
    tags = {"device": device, "sensor": sensor, **reading.tags}
    tag_text = ",".join(f"{key}={escape_tag_value(tags[key])}" for key in sorted(tags))
    field_text = ",".join(f"{name}={float(value)!r}" for name, value in reading.fields.items())
    return f"{measurement},{tag_text} {field_text},seq={reading.seq}i {reading.ts_ns}"


@given(names, names, fields, st.integers(0, 2**63 - 1), st.integers(0, 2**62))
def test_tagless_reading_line_equals_the_general_construction(
    device: str, sensor: str, values: dict[str, float], seq: int, ts_ns: int
) -> None:
    reading = Reading(ts_ns, seq, values)
    assert reading_line("readings", device, sensor, reading) == general_line(
        "readings", device, sensor, reading
    )


def test_payload_tags_are_sorted_in_with_device_and_sensor_and_escaped() -> None:
    reading = Reading(1_700_000_000_000_000_001, 7, {"t": 21}, {"room": "a b,c=d", "zone": "x"})
    assert reading_line("readings", "node-1", "mock", reading) == (
        r"readings,device=node-1,room=a\ b\,c\=d,sensor=mock,zone=x t=21.0,seq=7i"
        " 1700000000000000001"
    )


def test_float_fields_use_the_shortest_text_that_reads_back_exactly() -> None:
    reading = Reading(5, 0, {"a": 0.1, "b": 1 / 3, "c": 1e21, "d": 5e-324})
    line = reading_line("m", "d", "s", reading)
    text = line.split(" ")[1]
    assert text == "a=0.1,b=0.3333333333333333,c=1e+21,d=5e-324,seq=0i"
