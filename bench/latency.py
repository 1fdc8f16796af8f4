"""Bench 2: end-to-end latency, publish → queryable in InfluxDB, p50 and p99.

    python -m bench.latency [--probes 300] [--light 50x1] [--heavy 100x45] [--flush 1.0]

A probe node publishes a reading every 100 ms (QoS 1, TLS, stamped at publish time) while a
``sensormesh simulate`` fleet provides the background load: ``light`` and ``heavy`` are
``NODESxRATE``; the heavy default is near the bridge's measured saturation on this machine.
InfluxDB is polled every 20 ms for the probe's points; latency is the time a point was
first seen minus its timestamp, so it includes up to one poll interval and one query.
The bridge runs with its production FLUSH_INTERVAL_S (1.0 s) unless ``--flush`` says so.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

from bench.common import UsageMeter, mqtt_settings, run_root, save_result, start_mesh
from bench.simrun import simulator_status, start_simulator
from sensormesh.contract import READINGS_QOS, Reading, encode_readings, reading_topic
from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess, wait_until
from sensormesh.mqtt import new_client

PROBE = "latency-probe"
PROBE_EVERY_S = 0.1
POLL_S = 0.02


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with ``fraction`` of values at or below."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def start_fleet(mesh: LocalMesh, devices: list[str], rate: float) -> ManagedProcess:
    process = start_simulator(mesh, f"fleet-{len(devices)}x{rate}", devices, rate)
    wait_until(
        lambda: simulator_status(process)["connected"] >= len(devices),
        "fleet connected",
        timeout=120,
    )
    return process


def first_seen(mesh: LocalMesh, since_ns: int, stop: threading.Event, seen: dict[int, int]) -> None:
    """Poll for the probe's points, filling seq -> wall-clock ns when first seen."""
    query = f"SELECT \"seq\" FROM readings WHERE device = '{PROBE}' AND time >= {since_ns}"
    while not stop.is_set():
        series = mesh.influx.query(query)
        now = time.time_ns()
        for _, seq in series[0]["values"] if series else []:
            seen.setdefault(int(seq), now)
        time.sleep(POLL_S)


def measure(mesh: LocalMesh, probes: int, first_seq: int) -> dict[str, Any]:
    client = new_client(mqtt_settings(mesh, PROBE), f"{PROBE}-{first_seq}")
    client.on_socket_register_write = None  # this thread publishes, paho writes at once
    client.connect("localhost", mesh.broker.port)
    client.loop_start()
    published: dict[int, int] = {}
    stop = threading.Event()
    seen: dict[int, int] = {}
    poller = threading.Thread(target=first_seen, args=(mesh, time.time_ns() - 10**9, stop, seen))
    poller.start()
    for seq in range(first_seq, first_seq + probes):
        stamp = time.time_ns()
        payload = encode_readings([Reading(stamp, seq, {"latency_probe": 1.0})])
        client.publish(reading_topic(PROBE, "probe"), payload, READINGS_QOS)
        published[seq] = stamp
        time.sleep(PROBE_EVERY_S)
    deadline = time.monotonic() + 30
    while len(seen) < probes and time.monotonic() < deadline:
        time.sleep(0.1)  # not synchronisation: the poller thread fills ``seen``
    stop.set()
    poller.join()
    client.disconnect()
    client.loop_stop()
    latencies = [(seen[s] - published[s]) / 1e6 for s in published if s in seen]
    return {
        "probes": probes,
        "stored": len(latencies),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
    }


def level(mesh: LocalMesh, name: str, spec: str, probes: int, first_seq: int) -> dict[str, Any]:
    nodes, rate = spec.split("x")
    devices = [f"{name}-{i:04d}" for i in range(1, int(nodes) + 1)]
    fleet = start_fleet(mesh, devices, float(rate))
    meter = UsageMeter({"bridge": mesh.processes[0].pid, "mosquitto": mesh.broker.process.pid})
    meter.start()
    result = measure(mesh, probes, first_seq)
    result["usage"] = meter.stop()
    result["background_per_s"] = int(nodes) * float(rate)
    fleet.stop(timeout=90)
    print(f"{name} ({spec}/s): {json.dumps(result)}", flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--light", default="50x1", help="background NODESxRATE")
    parser.add_argument("--heavy", default="100x45", help="background NODESxRATE")
    parser.add_argument("--flush", default="1.0", help="the bridge's FLUSH_INTERVAL_S")
    args = parser.parse_args(argv)
    light = [f"light-{i:04d}" for i in range(1, int(args.light.split("x")[0]) + 1)]
    heavy = [f"heavy-{i:04d}" for i in range(1, int(args.heavy.split("x")[0]) + 1)]
    mesh = start_mesh(run_root("latency"), [PROBE, *light, *heavy])
    try:
        mesh.start_bridge(mesh.bridge_env("latency", FLUSH_INTERVAL_S=args.flush))
        results = {
            "light": level(mesh, "light", args.light, args.probes, 0),
            "heavy": level(mesh, "heavy", args.heavy, args.probes, args.probes),
        }
    finally:
        mesh.stop()
    target_ms = float(args.flush) * 1000 + 250
    verdict = {"target_p99_ms": target_ms, "met": results["light"]["p99_ms"] <= target_ms}
    path = save_result("latency", {"flush_interval_s": float(args.flush), **results, **verdict})
    print(json.dumps(verdict))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
