"""The node's durable outbox: every reading is on disk before it is sent.

SQLite in WAL mode with ``synchronous=FULL``: a reading whose transaction committed survives a
SIGKILL or a power cut, and is removed only after the broker's PUBACK. One transaction per
sampling tick (all sensors together) and deletes batched, because every commit on an SD card
costs a page write; ``docs/reliability.md`` gives the measured bytes written per reading.

The outbox is bounded: past ``max_readings`` the oldest readings are dropped and counted, and
the count travels in the node's status message. Nothing else drops a reading.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sensor TEXT NOT NULL,
    reading TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
DROPPED = "dropped"
SEQ_PREFIX = "seq:"


@dataclass(frozen=True)
class StoredReading:
    row_id: int
    sensor: str
    reading_json: str


class Outbox:
    def __init__(self, path: Path, max_readings: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.max_readings = max_readings
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # Small pages: each commit appends whole pages to the WAL, so 1 KiB pages halve the
        # bytes written per reading compared with the 4 KiB default (bench/outbox_wear.py).
        self._db.execute("PRAGMA page_size=1024")
        self._db.execute("PRAGMA journal_mode=WAL")

        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._count = self._scalar("SELECT count(*) FROM outbox")
        self.dropped = self._counter(DROPPED)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        return self._count

    def next_seqs(self) -> dict[str, int]:
        """Where each sensor's sequence continues, so ``seq`` never repeats after a restart."""
        rows = self._db.execute(
            "SELECT name, value FROM counters WHERE name LIKE 'seq:%'"
        ).fetchall()
        return {name[len(SEQ_PREFIX) :]: int(value) for name, value in rows}

    def add(self, readings: Sequence[tuple[str, str, int]]) -> int:
        """Store (sensor, reading JSON, seq) in one transaction; return how many were dropped."""
        if not readings:
            return 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO outbox (sensor, reading) VALUES (?, ?)",
                    [(sensor, text) for sensor, text, _ in readings],
                )
                self._db.executemany(
                    "INSERT INTO counters (name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    [(SEQ_PREFIX + sensor, seq + 1) for sensor, _, seq in readings],
                )
                dropped = self._drop_overflow(self._count + len(readings))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._count += len(readings) - dropped
            self.dropped += dropped
        return dropped

    def _drop_overflow(self, count_after_insert: int) -> int:
        excess = count_after_insert - self.max_readings
        if excess <= 0:
            return 0
        self._db.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)",
            (excess,),
        )
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (DROPPED, excess),
        )
        return excess

    def oldest_after(self, after_id: int, limit: int) -> list[StoredReading]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, sensor, reading FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [StoredReading(int(i), str(s), str(r)) for i, s, r in rows]

    def remove(self, row_ids: Iterable[int]) -> None:
        ids = [(row_id,) for row_id in row_ids]
        if not ids:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            cursor = self._db.executemany("DELETE FROM outbox WHERE id = ?", ids)
            self._db.execute("COMMIT")
            self._count -= cursor.rowcount

    def _counter(self, name: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _scalar(self, sql: str) -> int:
        with self._lock:
            return int(self._db.execute(sql).fetchone()[0])
