from __future__ import annotations

import json

import pytest

from sensormesh.contract import (
    InvalidMessage,
    Reading,
    Status,
    bridge_subscription,
    decode_readings,
    decode_status,
    encode_readings,
    offline_payload,
    parse_topic,
    reading_topic,
    status_topic,
    validate_sensor_name,
)

NOW = 1_733_328_000_000_000_000  # 2024-12-04T16:00:00Z


def _cause(payload: bytes) -> str:
    with pytest.raises(InvalidMessage) as caught:
        decode_readings(payload, NOW)
    return caught.value.cause


def test_topics_follow_the_contract() -> None:
    assert reading_topic("kitchen", "bmp280") == "sensors/kitchen/bmp280"
    assert status_topic("kitchen") == "sensors/kitchen/status"
    assert bridge_subscription("bridge") == "$share/bridge/sensors/+/+"
    assert parse_topic("sensors/kitchen/status").is_status
    assert parse_topic("sensors/kitchen/bmp280@0x76".replace("@0x76", "")).sensor == "bmp280"


@pytest.mark.parametrize(
    "topic",
    [
        "sensors/kitchen",
        "other/kitchen/x",
        "sensors/a b/x",
        "sensors/kitchen/Temp",
        "sensors/k/x/y",
    ],
)
def test_bad_topics_are_rejected(topic: str) -> None:
    with pytest.raises(InvalidMessage, match="bad_topic"):
        parse_topic(topic)


def test_status_is_a_reserved_sensor_name() -> None:
    assert validate_sensor_name("status") is not None
    assert validate_sensor_name("dht22") is None


def test_reading_round_trips_as_object_and_as_array() -> None:
    one = Reading(NOW - 10**9, 7, {"temperature": 21.5}, {"room": "kitchen"})
    two = Reading(NOW, 8, {"temperature": 21}, {})
    assert decode_readings(encode_readings([one]), NOW) == [one]
    assert json.loads(encode_readings([one, two]))[1]["seq"] == 8
    decoded = decode_readings(encode_readings([one, two]), NOW)
    assert decoded == [one, Reading(NOW, 8, {"temperature": 21.0}, {})]
    assert isinstance(decoded[1].fields["temperature"], float)


@pytest.mark.parametrize(
    ("payload", "cause"),
    [
        (b"\xff\xfe", "not_json"),
        (b"[]", "bad_shape"),
        (b'"text"', "bad_shape"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":1},"extra":1}', "bad_shape"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":-1,"fields":{"t":1}}', "bad_seq"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":true,"fields":{"t":1}}', "bad_seq"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{}}', "bad_fields"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"seq":1}}', "bad_fields"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":"1"}}', "non_numeric_value"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":false}}', "non_numeric_value"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":Infinity}}', "non_finite_value"),
        (b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":1e999}}', "non_finite_value"),
        (
            b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":1},"tags":{"device":"x"}}',
            "bad_tags",
        ),
        (
            b'{"ts":"2024-12-04T16:00:00Z","seq":1,"fields":{"t":1},"tags":{"a":"b\\\\c"}}',
            "bad_tags",
        ),
        (b'{"ts":1733328000,"seq":1,"fields":{"t":1}}', "bad_timestamp"),
        (b'{"ts":"2019-12-31T23:59:59Z","seq":1,"fields":{"t":1}}', "clock_unsynced"),
        (b'{"ts":"2024-12-04T16:05:01Z","seq":1,"fields":{"t":1}}', "clock_unsynced"),
        (b"[" + b"0," * 140_000 + b"0]", "oversized"),
    ],
)
def test_invalid_payloads_name_their_cause(payload: bytes, cause: str) -> None:
    assert _cause(payload) == cause


def test_clock_tolerance_is_five_minutes_ahead() -> None:
    ok = b'{"ts":"2024-12-04T16:05:00Z","seq":1,"fields":{"t":1}}'
    assert decode_readings(ok, NOW)[0].seq == 1


def test_status_round_trip_and_offline_will() -> None:
    status = Status(True, NOW, "1.0", {"mock": {"temperature": "°C"}}, {"mock": 2}, 5)
    assert decode_status(status.to_payload(), NOW) == status
    offline = decode_status(offline_payload(), NOW)
    assert not offline.online and offline.ts_ns is None


def test_status_needs_a_state() -> None:
    with pytest.raises(InvalidMessage, match="bad_status"):
        decode_status(b'{"state": "sleepy"}', NOW)
