"""Reading back what the bridge stored, counted by ``seq`` per device and sensor."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from sensormesh.localrun.influx import InfluxServer

WAIT_S = 60.0


def stored_seqs(
    influx: InfluxServer, measurement: str = "readings"
) -> Counter[tuple[str, str, int]]:
    """(device, sensor, seq) -> how many points carry it."""
    series = influx.query(f'SELECT "seq" FROM "{measurement}" GROUP BY "device", "sensor"')
    counts: Counter[tuple[str, str, int]] = Counter()
    for one in series:
        device, sensor = one["tags"]["device"], one["tags"]["sensor"]
        for _time, seq in one["values"]:
            counts[(device, sensor, int(seq))] += 1
    return counts


def wait_for_stored(
    influx: InfluxServer,
    done: Callable[[Counter[tuple[str, str, int]]], bool],
    timeout: float = WAIT_S,
) -> Counter[tuple[str, str, int]]:
    deadline = time.monotonic() + timeout
    while True:
        counts = stored_seqs(influx)
        if done(counts):
            return counts
        if time.monotonic() > deadline:
            raise TimeoutError(f"stored so far: {len(counts)} points")
        time.sleep(0.2)
