"""Counting for the fault-injection suite: what nodes took versus what InfluxDB holds."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from sensormesh.localrun.influx import InfluxServer
from sensormesh.localrun.mesh import LocalMesh
from tests.support.stored import stored_seqs, wait_for_stored

Key = tuple[str, str, int]


def taken_by_node(mesh: LocalMesh, device: str) -> set[Key]:
    """Every seq the node committed to its outbox (read after the node has stopped)."""
    path = Path(mesh.node_env(device)["BUFFER_PATH"])
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name, value FROM counters WHERE name LIKE 'seq:%'").fetchall()
    return {(device, name[4:], seq) for name, value in rows for seq in range(int(value))}


def assert_exactly_once(influx: InfluxServer, taken: set[Key], timeout: float = 90) -> None:
    """Wait (up to ``timeout``) for every taken reading, then check nothing is off by one."""
    assert taken, "the scenario took no readings"
    try:
        stored: Counter[Key] = wait_for_stored(influx, lambda c: taken <= set(c), timeout)
    except TimeoutError:
        stored = stored_seqs(influx)
    missing = taken - set(stored)
    assert not missing, f"{len(missing)} readings lost, e.g. {sorted(missing)[:5]}"
    doubled = {key: n for key, n in stored.items() if n > 1}
    assert not doubled, f"stored twice: {sorted(doubled)[:5]}"
    extra = set(stored) - taken
    assert not extra, f"stored but never taken: {sorted(extra)[:5]}"
