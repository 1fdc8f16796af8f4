"""Bytes the node's outbox writes to disk per reading (SD-card wear), measured, not guessed.

Runs the real Outbox the way the publisher does: one transaction per sampling tick holding
every sensor's reading, then batched deletes as PUBACKs come back. Reads the kernel's
``write_bytes`` counter for this process (what reaches the block layer, including fsyncs).

    python -m bench.outbox_wear --ticks 2000 --sensors 3
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from publisher.outbox import Outbox
from sensormesh.contract import Reading, encode_readings


def write_bytes() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise RuntimeError("no write_bytes in /proc/self/io")


def run(ticks: int, sensors: int, delete_every: int, folder: Path) -> tuple[float, float]:
    outbox = Outbox(folder / "outbox.sqlite", max_readings=250_000)
    names = [f"s{i}" for i in range(sensors)]
    fields = {"temperature": 21.53, "humidity": 48.2, "pressure": 1006.53}
    os.sync()
    before = write_bytes()
    started = time.perf_counter()
    for tick in range(ticks):
        now = time.time_ns()
        outbox.add(
            [(name, encode_readings([Reading(now, tick, fields)]).decode(), tick) for name in names]
        )
        if tick % delete_every == delete_every - 1:
            outbox.remove([row.row_id for row in outbox.oldest_after(0, 100_000)])
    outbox.close()
    os.sync()
    elapsed = time.perf_counter() - started
    readings = ticks * sensors
    return (write_bytes() - before) / readings, elapsed / ticks * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ticks", type=int, default=2000)
    parser.add_argument("--sensors", type=int, default=3)
    parser.add_argument(
        "--delete-every",
        type=int,
        default=1,
        help="ticks between delete transactions (acks are batched)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as folder:
        per_reading, ms_per_tick = run(args.ticks, args.sensors, args.delete_every, Path(folder))
    print(
        f"{args.ticks} ticks x {args.sensors} sensors, delete every {args.delete_every} tick(s):"
        f" {per_reading:,.0f} bytes written per reading, {ms_per_tick:.2f} ms per tick"
    )


if __name__ == "__main__":
    main()
