from __future__ import annotations

import json

from publisher.outbox import StoredReading
from publisher.sender import MAX_READINGS_PER_MESSAGE, group_into_messages


def _rows(pattern: str) -> list[StoredReading]:
    return [
        StoredReading(i + 1, sensor, json.dumps({"seq": i})) for i, sensor in enumerate(pattern)
    ]


def test_a_single_reading_is_sent_as_an_object() -> None:
    messages, last = group_into_messages(_rows("a"), 10)
    assert [json.loads(m.payload) for m in messages] == [{"seq": 0}] and last == 1


def test_backlog_is_grouped_per_sensor_into_arrays_in_order() -> None:
    messages, last = group_into_messages(_rows("abab"), 10)
    assert [(m.sensor, m.row_ids) for m in messages] == [("a", (1, 3)), ("b", (2, 4))]
    assert json.loads(messages[0].payload) == [{"seq": 0}, {"seq": 2}]
    assert last == 4


def test_arrays_are_bounded_in_readings() -> None:
    messages, _ = group_into_messages(_rows("a" * (MAX_READINGS_PER_MESSAGE + 5)), 10)
    assert [len(m.row_ids) for m in messages] == [MAX_READINGS_PER_MESSAGE, 5]


def test_a_full_window_stops_at_a_prefix_so_nothing_is_skipped() -> None:
    rows = _rows("a" * (MAX_READINGS_PER_MESSAGE + 1) + "b")
    messages, last = group_into_messages(rows, 1)
    assert len(messages) == 1 and last == MAX_READINGS_PER_MESSAGE
    covered = {row_id for m in messages for row_id in m.row_ids}
    assert covered == set(range(1, last + 1))
