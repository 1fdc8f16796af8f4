"""Where the bridge's time goes: drain a flooded backlog with py-spy attached to the bridge.

    python -m bench.profile [--readings 60000]

Prints the functions with the most samples, on-CPU only (``--idle`` off), by self time and
by inclusive time, and keeps the raw collapsed stacks in bench/results/ for a flame graph.
py-spy pauses the process to sample it, so the rate printed here is below the real one.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.common import RESULTS, count_points, create_database, run_root, start_mesh
from bench.phases import (
    PROBE_DEVICE,
    Load,
    bridge_consumer,
    flood,
    probe_until_stored,
    watch_rate,
)
from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess


def summarise_stacks(
    raw: Path, top: int = 25
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Self and inclusive share of samples per function, from py-spy's collapsed format."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = [_short(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    share = 100.0 / max(total, 1)
    return (
        [(name, round(n * share, 1)) for name, n in own.most_common(top)],
        [(name, round(n * share, 1)) for name, n in inclusive.most_common(top)],
    )


def _short(frame: str) -> str:
    """``func (path/to/module.py:123)`` -> ``func (module.py)``: merge a function's lines."""
    name, _, where = frame.partition(" (")
    module = where.rsplit("/", 1)[-1].split(":", 1)[0]
    return f"{name} ({module})"


def py_spy(pid: int, out: Path) -> ManagedProcess:
    """Sample a running process (raw collapsed stacks) until it exits."""
    return ManagedProcess(
        "py-spy",
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "250",
            "--output",
            str(out),
        ],
        out.with_suffix(".log"),
    ).start()


def profile_bridge(mesh: LocalMesh, load: Load) -> Path:
    database = "profile"
    create_database(mesh, database)
    consumer = bridge_consumer(mesh, database, 0, 1)
    consumer.start()
    baseline = probe_until_stored(mesh, database, "p")
    consumer.stop()
    flood(mesh, load, "p")
    consumer.start()
    bridge = mesh.processes[-1]
    out = RESULTS / f"profile-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    sampler = py_spy(bridge.pid, out)
    rate = watch_rate(lambda: count_points(mesh, database), baseline, load.total, 900)["rate"]
    consumer.stop()
    sampler.wait(60)
    print(f"bridge under py-spy: {rate:.0f} readings/s")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=60_000)
    parser.add_argument("--publishers", type=int, default=4)
    args = parser.parse_args(argv)
    devices = tuple(f"flood-{i}" for i in range(1, args.publishers + 1))
    load = Load(devices, args.readings // args.publishers, "drain")
    mesh = start_mesh(run_root("profile"), [*devices, PROBE_DEVICE])
    try:
        raw = profile_bridge(mesh, load)
    finally:
        mesh.stop()
    own, inclusive = summarise_stacks(raw)
    print("self time (% of samples):")
    for name, share in own:
        print(f"  {share:5.1f}  {name}")
    print("inclusive time (% of samples):")
    for name, share in inclusive:
        print(f"  {share:5.1f}  {name}")
    print(f"raw stacks: {raw}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
