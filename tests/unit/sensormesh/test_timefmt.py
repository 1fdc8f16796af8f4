from __future__ import annotations

import pytest

from sensormesh.timefmt import TimestampError, format_rfc3339_us, parse_rfc3339_ns


def test_parses_to_exact_integer_nanoseconds() -> None:
    # 1733328000.123456789 * 1e9 in floats would be off by dozens of ns.
    assert parse_rfc3339_ns("2024-12-04T16:00:00.123456789Z") == 1_733_328_000_123_456_789


def test_offsets_are_converted_to_utc() -> None:
    utc = parse_rfc3339_ns("2024-12-04T16:00:00Z")
    assert parse_rfc3339_ns("2024-12-04T17:30:00+01:30") == utc
    assert parse_rfc3339_ns("2024-12-04T14:00:00-02:00") == utc


def test_round_trip_keeps_microseconds() -> None:
    stamp = 1_733_328_000_123_456_000
    assert format_rfc3339_us(stamp) == "2024-12-04T16:00:00.123456Z"
    assert parse_rfc3339_ns(format_rfc3339_us(stamp)) == stamp


@pytest.mark.parametrize(
    "text",
    [
        "2024-12-04 16:00:00Z",
        "2024-12-04T16:00:00",
        "2024-02-30T00:00:00Z",
        "2024-12-04T24:00:00Z",
        "2024-13-01T00:00:00Z",
        "1733328000",
        "",
    ],
)
def test_rejects_what_is_not_rfc3339(text: str) -> None:
    with pytest.raises(TimestampError):
        parse_rfc3339_ns(text)
