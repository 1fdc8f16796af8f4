"""The bridge's parsing fast paths give exactly what the plain stdlib code gives."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensormesh.contract import InvalidMessage, _reject_constant, load_json
from sensormesh.fastparse import NOT_PARSED, orjson_loads, rfc3339_ns
from sensormesh.timefmt import TimestampError, parse_rfc3339_ns

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # of any size: orjson would round those beyond 64 bits
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def typed(value: Any) -> Any:
    """A form where 1, 1.0 and True differ, so equality also checks the types."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, float) and math.isinf(value):
        return ("float", str(value))
    return (type(value).__name__, value)


def stdlib_verdict(payload: bytes) -> Any:
    try:
        return typed(json.loads(payload, parse_constant=_reject_constant))
    except InvalidMessage as exc:
        return ("invalid", exc.cause)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ("invalid", "not_json")


def verdict(payload: bytes) -> Any:
    try:
        return typed(load_json(payload))
    except InvalidMessage as exc:
        return ("invalid", exc.cause)


@given(json_values, st.booleans())
def test_load_json_equals_the_stdlib_for_any_json(value: Any, ascii_only: bool) -> None:
    payload = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert verdict(payload) == stdlib_verdict(payload)


@pytest.mark.parametrize(
    "payload",
    [
        b"18446744073709551615",
        b"18446744073709551616",
        b"-9223372036854775809",
        b'{"seq": 123456789012345678901234567890}',
        b"1e400",
        b'{"v": NaN}',
        b'{"v": -Infinity}',
        b'"\\ud800"',
        b"\xef\xbb\xbf{}",
        b'"\xff"',
        b'{"a": 1, "a": 2.5}',
        b"[1, 2,]",
        b"0.1e-400",
        b"2.2250738585072011e-308",
        '"\u00e9"'.encode("utf-16"),
    ],
)
def test_load_json_equals_the_stdlib_where_orjson_differs_or_refuses(payload: bytes) -> None:
    assert verdict(payload) == stdlib_verdict(payload)


def test_orjson_is_skipped_for_integers_it_would_round() -> None:
    assert orjson_loads(b'{"seq": -9223372036854775809}') is NOT_PARSED
    assert orjson_loads(b'{"seq": 18446744073709551616}') is NOT_PARSED
    assert orjson_loads(b'{"seq": -999999999999999999}') == {"seq": -999999999999999999}


def reference_ns(text: str) -> int | str:
    try:
        return parse_rfc3339_ns(text)
    except TimestampError as exc:
        return str(exc)


def fast_ns(text: str) -> int | str:
    try:
        return rfc3339_ns(text)
    except TimestampError as exc:
        return str(exc)


@given(
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 24),
    st.integers(0, 60),
    st.integers(0, 60),
    st.text("0123456789٣", min_size=0, max_size=10),
    st.sampled_from(["Z", "z", "+02:00", "-05:30", "", "Q"]),
)
def test_rfc3339_fast_path_equals_the_parser(
    year: int, month: int, day: int, hour: int, minute: int, second: int, frac: str, zone: str
) -> None:
    fraction = f".{frac}" if frac else ""
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}{zone}"
    assert fast_ns(text) == reference_ns(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-04T16:37:19.666022Z",
        "2026-12-04T16:37:19.666022z",
        "2026-12-04T16:37:19.123456789Z",
        "2026-12-04T16:37:19.1Z",
        "2026-02-30T16:37:19.1Z",
        "2026-12-04T16:37:19.1234567890Z",
        "2026-12-04T16:37:19.Z",
        "2026-12-04 16:37:19.5Z",
        "٢٠٢٦-12-04T16:37:19.5Z",
        "2026-12-04T16:37:19.٣Z",
    ],
)
def test_rfc3339_fast_path_equals_the_parser_on_edge_cases(text: str) -> None:
    assert fast_ns(text) == reference_ns(text)


def test_without_orjson_the_stdlib_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """The broker image's first boot runs on Debian's python3, which has no orjson."""
    from sensormesh import contract, fastparse

    monkeypatch.setattr(fastparse, "_orjson", None)
    assert fastparse.orjson_loads(b'{"a": 1}') is fastparse.NOT_PARSED
    payload = b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":1.5}}'
    assert contract.decode_readings(payload, 1_733_328_000_000_000_000)[0].fields == {"t": 1.5}
