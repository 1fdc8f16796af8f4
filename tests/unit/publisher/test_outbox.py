from __future__ import annotations

from pathlib import Path

from publisher.outbox import Outbox


def _rows(sensor: str, seqs: range) -> list[tuple[str, str, int]]:
    return [(sensor, f'{{"seq":{seq}}}', seq) for seq in seqs]


def test_readings_and_sequence_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    box = Outbox(path, max_readings=100)
    box.add(_rows("a", range(3)) + _rows("b", range(5)))
    box.close()
    reopened = Outbox(path, max_readings=100)
    assert len(reopened) == 8
    assert reopened.next_seqs() == {"a": 3, "b": 5}
    assert [r.reading_json for r in reopened.oldest_after(0, 3)] == [
        '{"seq":0}',
        '{"seq":1}',
        '{"seq":2}',
    ]


def test_removed_rows_are_gone_and_order_is_oldest_first(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", max_readings=100)
    box.add(_rows("a", range(6)))
    first = box.oldest_after(0, 2)
    box.remove([r.row_id for r in first])
    assert len(box) == 4
    assert box.oldest_after(0, 10)[0].reading_json == '{"seq":2}'
    assert box.oldest_after(first[-1].row_id + 3, 10)[0].reading_json == '{"seq":5}'


def test_past_the_bound_the_oldest_are_dropped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    box = Outbox(path, max_readings=10)
    assert box.add(_rows("a", range(8))) == 0
    assert box.add(_rows("a", range(8, 13))) == 3
    assert len(box) == 10 and box.dropped == 3
    assert box.oldest_after(0, 1)[0].reading_json == '{"seq":3}'
    box.close()
    assert Outbox(path, max_readings=10).dropped == 3  # the count survives restarts too


def test_uses_write_ahead_logging(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite", max_readings=10)
    box.add(_rows("a", range(1)))
    assert (tmp_path / "o.sqlite-wal").exists()
