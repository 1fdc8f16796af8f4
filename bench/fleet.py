"""Bench 4: a fleet of 1000 TLS nodes at one reading per second, and a broker restart.

    python -m bench.fleet [--nodes 1000] [--rate 1] [--seconds 240] [--restart-at 100]

Every node is a ``sensormesh simulate`` node with its own broker user and TLS connection.
Measured: how long the fleet takes to connect, broker and bridge CPU and memory while it
runs, the connect storm after a broker restart (clean stop, start, until every node is
back), and whether anything was lost: each node's stored count must equal what it
generated. Mosquitto inherits this shell's open-file limit; 1000 nodes need ``ulimit -n``
well above 1000 (each connection is a descriptor).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import time
from collections.abc import Sequence
from typing import Any

from bench.common import UsageMeter, run_root, save_result, start_mesh
from bench.phases import PROBE_DEVICE, probe_until_stored
from bench.simrun import simulator_status, start_simulator
from sensormesh.localrun.influx import DATABASE
from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess, wait_until
from sensormesh.simfleet import SENSOR

REPORT_S = 0.2


def all_connected(simulator: ManagedProcess, connects: int, since: float) -> float:
    """Seconds from ``since`` until the simulator has counted ``connects`` CONNACKs
    (to within its status interval, REPORT_S)."""
    wait_until(
        lambda: simulator_status(simulator)["connects"] >= connects, "all nodes connected", 300
    )
    return round(time.monotonic() - since, 2)


def stored_by_device(mesh: LocalMesh) -> dict[str, int]:
    query = f"SELECT count(\"seq\") FROM readings WHERE sensor = '{SENSOR}' GROUP BY device"
    return {s["tags"]["device"]: int(s["values"][0][1]) for s in mesh.influx.query(query)}


def restart_broker(mesh: LocalMesh, simulator: ManagedProcess, nodes: int) -> dict[str, float]:
    started = time.monotonic()
    connects = simulator_status(simulator)["connects"]
    mesh.broker.stop()
    stopped = time.monotonic()
    mesh.broker.start()
    up = time.monotonic()
    return {
        "broker_stop_s": round(stopped - started, 2),
        "broker_start_s": round(up - stopped, 2),
        "connect_storm_s": all_connected(simulator, connects + nodes, up),
    }


def verify(mesh: LocalMesh, summary: dict[str, Any]) -> dict[str, Any]:
    generated: dict[str, int] = summary["by_device"]

    def complete() -> bool:
        stored = stored_by_device(mesh)
        return all(stored.get(device, 0) >= count for device, count in generated.items())

    with contextlib.suppress(TimeoutError):  # what is missing is counted below
        wait_until(complete, "every generated reading stored", timeout=120)
    stored = stored_by_device(mesh)
    missing = {d: n - stored.get(d, 0) for d, n in generated.items() if stored.get(d, 0) < n}
    extra = {d: stored[d] - n for d, n in generated.items() if stored.get(d, 0) > n}
    return {
        "missing_readings": missing_readings(mesh, missing, generated)[:50],
        "generated": sum(generated.values()),
        "acked_by_broker": summary["acked"],
        "stored": sum(stored.get(d, 0) for d in generated),
        "lost": sum(missing.values()),
        "devices_missing_readings": len(missing),
        "devices_with_extra_points": len(extra),
    }


def missing_readings(
    mesh: LocalMesh, missing: dict[str, int], generated: dict[str, int]
) -> list[dict[str, Any]]:
    """Which seq of which device is missing, and when the reading before it was taken."""
    found = []
    for device in sorted(missing):
        query = f"SELECT \"seq\" FROM readings WHERE sensor = '{SENSOR}' AND device = '{device}'"
        series = mesh.influx.query(query)
        stamps = {int(seq): ts for ts, seq in series[0]["values"]} if series else {}
        for seq in range(generated[device]):
            if seq not in stamps:
                before = stamps.get(seq - 1)
                found.append({"device": device, "seq": seq, "previous_ts_ns": before})
    return found


def run(mesh: LocalMesh, devices: list[str], args: argparse.Namespace) -> dict[str, Any]:
    bridge = mesh.start_bridge(mesh.bridge_env("fleet", FLUSH_INTERVAL_S="1.0"))
    probe_until_stored(mesh, DATABASE, "fleet")
    simulator = start_simulator(
        mesh, "simulate", devices, args.rate, "--seconds", str(args.seconds),
        "--summary", str(mesh.root / "fleet-summary.json"), "--report-s", str(REPORT_S),
    )  # fmt: skip
    result: dict[str, Any] = {
        "initial_connect_s": all_connected(simulator, args.nodes, time.monotonic())
    }
    meter = UsageMeter({"mosquitto": mesh.broker.process.pid, "bridge": bridge.pid}).start()
    time.sleep(max(0.0, args.restart_at - result["initial_connect_s"]))  # run steady
    result["steady_usage"] = meter.stop()
    result["restart"] = restart_broker(mesh, simulator, args.nodes)
    meter = UsageMeter({"mosquitto": mesh.broker.process.pid, "bridge": bridge.pid}).start()
    simulator.wait(args.seconds + 300)
    result["after_restart_usage"] = meter.stop()
    summary = json.loads((mesh.root / "fleet-summary.json").read_text())
    result["delivery"] = verify(mesh, summary)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument("--restart-at", type=float, default=100.0, help="seconds into the run")
    args = parser.parse_args(argv)
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.nodes + 200:
        parser.error(f"ulimit -n is {soft}: raise it above {args.nodes + 200} for the broker")
    devices = [f"sim-{i:04d}" for i in range(1, args.nodes + 1)]
    started = time.monotonic()
    mesh = start_mesh(run_root("fleet"), [*devices, PROBE_DEVICE])
    provisioning_s = round(time.monotonic() - started, 1)
    try:
        result = run(mesh, devices, args)
    finally:
        mesh.stop()
    result["provisioning_s"] = provisioning_s
    settings = {
        "nodes": args.nodes,
        "rate": args.rate,
        "seconds": args.seconds,
        "restart_at": args.restart_at,
        "nofile_limit": soft,
    }
    path = save_result("fleet", {"settings": settings, **result})
    print(json.dumps(result, indent=2))
    print(f"saved {path}")
    return 0 if result["delivery"]["lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
