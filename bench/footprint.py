"""Bench 3: what a node costs its Pi: publisher RSS, CPU, and disk bytes per reading.

    python -m bench.footprint [--seconds 180]

Two real publisher processes (``python -m publisher``, SENSORS=mock) run side by side
against the real broker and bridge: one at the default SAMPLE_INTERVAL_S, one at 10 Hz.
For each: resident memory (end and peak), CPU as a share of one core over the window,
CPU time per reading stored, and bytes the process wrote to disk per reading
(/proc/<pid>/io write_bytes: whatever an outbox writes shows up here, logs go to a pipe).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

from bench.common import UsageMeter, run_root, save_result, start_mesh
from publisher.config import load_publisher_config
from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import wait_until

NODES = {"default-interval": None, "ten-hz": "0.1"}
WARMUP_READINGS = 2


def stored(mesh: LocalMesh, device: str) -> int:
    series = mesh.influx.query(f"SELECT count(\"seq\") FROM readings WHERE device = '{device}'")
    return int(series[0]["values"][0][1]) if series else 0


def wait_for_readings(mesh: LocalMesh, device: str) -> None:
    """Past start-up (imports, TLS handshake), so the window sees the steady state."""
    wait_until(lambda: stored(mesh, device) >= WARMUP_READINGS, f"{device} stored", 60)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=180.0)
    args = parser.parse_args(argv)
    mesh = start_mesh(run_root("footprint"), list(NODES))
    result: dict[str, Any] = {}
    try:
        mesh.start_bridge(mesh.bridge_env("footprint"))
        nodes = {}
        for device, interval in NODES.items():
            env = mesh.node_env(device)
            if interval is None:
                del env["SAMPLE_INTERVAL_S"]  # the publisher's own default
            else:
                env["SAMPLE_INTERVAL_S"] = interval
            nodes[device] = mesh.start_node(env)
            result[device] = {"interval_s": load_publisher_config(env).sample_interval_s}
        for device in NODES:
            wait_for_readings(mesh, device)
        before = {device: stored(mesh, device) for device in NODES}
        meter = UsageMeter({d: p.pid for d, p in nodes.items()}).start()
        time.sleep(args.seconds)  # the measurement window
        usage = meter.stop()
        for device in NODES:
            readings = stored(mesh, device) - before[device]
            one = usage[device]
            result[device].update(one)
            result[device]["readings"] = readings
            result[device]["cpu_ms_per_reading"] = round(1000 * one["cpu_s"] / max(readings, 1), 3)
            disk = one["disk_write_bytes"] / max(readings, 1)
            result[device]["disk_bytes_per_reading"] = round(disk, 1)
    finally:
        mesh.stop()
    default = result["default-interval"]
    result["targets"] = {
        "rss_le_40mb": default["peak_rss_mb"] <= 40,
        "cpu_lt_1pct": default["cpu_pct_of_core"] < 1,
    }
    path = save_result("footprint", {"seconds": args.seconds, **result})
    print(json.dumps(result, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
