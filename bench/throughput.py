"""Bench 1: bridge throughput beside its ceiling, its database and Node-RED, in one run.

    python -m bench.throughput [--runs 3] [--publishers 4] [--readings 60000] [--mode drain]

Each run measures, back to back on the same broker and InfluxDB: the bare-subscriber
ceiling, the bridge (ack after write), Node-RED (if installed, see bench/setup-node-red) and
the database alone (the same lines posted in batches through the shim and straight to
influxd). The medians and the ratios bridge/ceiling and bridge/Node-RED are printed and
saved to bench/results/throughput-latest.json. ``--profile`` instead runs the bridge once
under py-spy and prints where its time goes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from bench import nodered
from bench.common import create_database, median, run_root, save_result, start_mesh
from bench.database import database_phase
from bench.phases import (
    PROBE_DEVICE,
    Load,
    bridge_consumer,
    ceiling_phase,
    consumer_phase,
    nodered_consumer,
)
from bridge.config import load_bridge_config
from sensormesh.admin.users import Role
from sensormesh.localrun.mesh import LocalMesh


def one_run(
    mesh: LocalMesh, load: Load, peer_load: Load | None, run: int
) -> dict[str, dict[str, float]]:
    receive_max = load_bridge_config(mesh.bridge_env()).receive_maximum
    result = {"ceiling": ceiling_phase(mesh, load, run, receive_max)}
    print(f"run {run}: ceiling {result['ceiling']['rate']:.0f}/s", flush=True)
    database = f"bridge_r{run}"
    create_database(mesh, database)
    bridges = bridge_consumer(mesh, database, run, 1)
    result["bridge"] = consumer_phase(mesh, load, database, bridges, f"b{run}")
    print(f"run {run}: bridge {result['bridge']['rate']:.0f}/s", flush=True)
    if peer_load is not None:
        database = f"nodered_r{run}"
        create_database(mesh, database)
        peer = nodered_consumer(mesh, database, run)
        result["nodered"] = consumer_phase(mesh, peer_load, database, peer, f"n{run}")
        print(f"run {run}: Node-RED {result['nodered']['rate']:.0f}/s", flush=True)
    result["database"] = database_phase(mesh, load, run)
    print(f"run {run}: database {result['database']}", flush=True)
    return result


def summarise(runs: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    medians: dict[str, float] = {
        "ceiling": median(r["ceiling"]["rate"] for r in runs),
        "bridge": median(r["bridge"]["rate"] for r in runs),
        "database_shim": median(r["database"]["rate_shim"] for r in runs),
        "database_direct": median(r["database"]["rate_direct"] for r in runs),
    }
    ratios = {
        "bridge_over_ceiling": median(r["bridge"]["rate"] / r["ceiling"]["rate"] for r in runs)
    }
    if all("nodered" in r for r in runs):
        medians["nodered"] = median(r["nodered"]["rate"] for r in runs)
        medians["nodered_stored_fraction"] = median(
            r["nodered"]["stored"] / r["nodered"]["published"] for r in runs
        )
        ratios["bridge_over_nodered"] = median(
            r["bridge"]["rate"] / r["nodered"]["rate"] for r in runs
        )
    return {
        "medians_per_s": {k: round(v, 1) for k, v in medians.items()},
        "ratios_median_of_runs": {k: round(v, 3) for k, v in ratios.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--publishers", type=int, default=4)
    parser.add_argument("--readings", type=int, default=60_000, help="per phase, all publishers")
    parser.add_argument("--peer-readings", type=int, default=0, help="for Node-RED (default: same)")
    parser.add_argument("--mode", choices=["drain", "live"], default="drain")
    parser.add_argument("--peer-mode", choices=["drain", "live"], help="default: --mode")
    parser.add_argument("--no-peer", action="store_true", help="skip Node-RED")
    args = parser.parse_args(argv)
    devices = tuple(f"flood-{i}" for i in range(1, args.publishers + 1))
    load = Load(devices, args.readings // args.publishers, args.mode)
    peer_load = None
    if not args.no_peer:
        if not nodered.installed():
            parser.error("Node-RED is not installed: run bench/setup-node-red (or --no-peer)")
        peer_per_device = (args.peer_readings or args.readings) // args.publishers
        peer_load = Load(devices, peer_per_device, args.peer_mode or args.mode)
    mesh = start_mesh(run_root("throughput"), [*devices, PROBE_DEVICE], {nodered.USER: Role.BRIDGE})
    try:
        runs = [one_run(mesh, load, peer_load, run) for run in range(1, args.runs + 1)]
    finally:
        mesh.stop()
    summary = summarise(runs)
    settings = {
        "mode": args.mode,
        "publishers": args.publishers,
        "readings": load.total,
        "peer_readings": peer_load.total if peer_load else 0,
        "runs": args.runs,
    }
    path = save_result("throughput", {"settings": settings, "runs": runs, **summary})
    print(json.dumps(summary, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
