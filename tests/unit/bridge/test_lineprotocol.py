from __future__ import annotations

from bridge.lineprotocol import escape_tag_value, reading_line, status_line
from sensormesh.contract import Reading, Status


def test_reading_line_has_sorted_tags_float_fields_and_integer_seq() -> None:
    reading = Reading(
        1_733_328_000_123_456_000,
        42,
        {"temperature": 21.0, "pressure": 1e5},
        {"room": "living room", "floor": "1"},
    )
    assert reading_line("readings", "kitchen", "bmp280", reading) == (
        "readings,device=kitchen,floor=1,room=living\\ room,sensor=bmp280 "
        "temperature=21.0,pressure=100000.0,seq=42i 1733328000123456000"
    )


def test_tag_values_escape_commas_equals_and_spaces() -> None:
    assert escape_tag_value("a,b=c d") == "a\\,b\\=c\\ d"


def test_floats_keep_full_precision() -> None:
    reading = Reading(1, 0, {"v": 0.1 + 0.2, "tiny": 1e-300})
    line = reading_line("m", "d", "s", reading)
    assert "v=0.30000000000000004" in line and "tiny=1e-300" in line


def test_offline_status_without_time_uses_arrival_time() -> None:
    assert status_line("device_status", "kitchen", Status(False), 99) == (
        "device_status,device=kitchen online=0i 99"
    )
    online = Status(True, 5, misses={"a": 2, "b": 1}, dropped=3)
    assert status_line("device_status", "kitchen", online, 99) == (
        "device_status,device=kitchen online=1i,misses=3i,dropped=3i 5"
    )
