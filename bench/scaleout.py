"""Bench 5: scale-out, 1, 2 and 4 bridges in one shared-subscription group.

    python -m bench.scaleout [--runs 2] [--readings 60000] [--bridges 1,2,4]

Same drain measurement as bench 1: the broker holds a flooded backlog for the group, then
the bridges start together and the stored count is timed between 10 % and 75 %. Rounds
alternate the bridge counts, so drift on the machine hits each count alike. On 2 cores,
more Python processes can only win while one bridge leaves a core idle.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from bench.common import create_database, median, run_root, save_result, start_mesh
from bench.phases import PROBE_DEVICE, Load, bridge_consumer, consumer_phase


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--publishers", type=int, default=4)
    parser.add_argument("--readings", type=int, default=60_000)
    parser.add_argument("--bridges", default="1,2,4")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.bridges.split(",")]
    devices = tuple(f"flood-{i}" for i in range(1, args.publishers + 1))
    load = Load(devices, args.readings // args.publishers, "drain")
    mesh = start_mesh(run_root("scaleout"), [*devices, PROBE_DEVICE])
    rates: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
    try:
        for run in range(1, args.runs + 1):
            for n in counts:
                database = f"scale_{n}_r{run}"
                create_database(mesh, database)
                consumer = bridge_consumer(mesh, database, run, n)
                measured = consumer_phase(mesh, load, database, consumer, f"s{n}r{run}")
                rates[n].append(measured)
                print(f"run {run}: {n} bridge(s) {measured['rate']:.0f}/s", flush=True)
    finally:
        mesh.stop()
    summary: dict[str, Any] = {
        str(n): {
            "median_rate": median(r["rate"] for r in rates[n]),
            "speedup_vs_1": round(
                median(r["rate"] for r in rates[n]) / median(r["rate"] for r in rates[counts[0]]),
                2,
            ),
        }
        for n in counts
    }
    runs = {str(n): rates[n] for n in counts}
    path = save_result("scaleout", {"readings": load.total, "runs": runs, "summary": summary})
    print(json.dumps(summary, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
