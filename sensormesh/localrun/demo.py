"""``sensormesh demo``: the mesh on this machine, no Docker, stopped cleanly on Ctrl-C."""

from __future__ import annotations

import shlex
import shutil
import signal
import threading
import time
from pathlib import Path
from types import FrameType

from sensormesh.localrun.influx import DATABASE
from sensormesh.localrun.mesh import VIEWER_USER, LocalMesh

REPORT_EVERY_S = 5.0


def run_demo(root: Path, nodes: int, interval: float, seconds: float) -> int:
    missing = [
        tool
        for tool in ("mosquitto", "influxd")
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists()
    ]
    if missing:
        raise OSError(
            f"not installed: {', '.join(missing)} (run ./scripts/demo, which installs them)"
        )
    if nodes < 1:
        raise ValueError("--nodes must be at least 1")
    root = root.resolve()
    if root.exists():
        shutil.rmtree(root)
    devices = [f"node-{i}" for i in range(1, nodes + 1)]
    mesh = LocalMesh(root, devices)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        mesh.start_servers()
        mesh.start_bridge(mesh.bridge_env("demo-bridge", FLUSH_INTERVAL_S="1.0"))
        for device in devices:
            mesh.start_node(mesh.node_env(device, SAMPLE_INTERVAL_S=str(interval)))
        _print_banner(mesh)
        deadline = time.monotonic() + seconds if seconds > 0 else None
        while not stop.wait(REPORT_EVERY_S):
            _print_counts(mesh)
            if deadline is not None and time.monotonic() >= deadline:
                break
        _print_counts(mesh)
    finally:
        print("stopping the mesh…", flush=True)
        mesh.stop()
    return 0


def _print_banner(mesh: LocalMesh) -> None:
    env = mesh.mqtt_env(VIEWER_USER)
    sub = [
        "mosquitto_sub",
        "-h",
        "localhost",
        "-p",
        env["MQTT_PORT"],
        "--cafile",
        env["MQTT_CA_CERT"],
        "-u",
        VIEWER_USER,
        "-P",
        env["MQTT_PASSWORD"],
        "-t",
        "sensors/#",
        "-v",
    ]
    query = [
        "influx",
        "-port",
        str(mesh.influx.http_port),
        "-database",
        DATABASE,
        "-execute",
        "SELECT * FROM readings ORDER BY time DESC LIMIT 10",
    ]
    print(
        f"""
sensormesh demo is running (files, logs and generated credentials in {mesh.root})
  broker    mqtts://localhost:{mesh.broker.port}  (TLS, CA {env["MQTT_CA_CERT"]})
  InfluxDB  {mesh.influx.v1_url} database {DATABASE} (v2 write API at {mesh.influx.url})

Watch live readings:
  {shlex.join(sub)}
Query what was stored:
  {shlex.join(query)}

Press Ctrl-C to stop everything.
""",
        flush=True,
    )


def _print_counts(mesh: LocalMesh) -> None:
    try:
        series = mesh.influx.query('SELECT count("seq") FROM "readings" GROUP BY "device"')
    except (OSError, RuntimeError) as exc:
        print(f"  (InfluxDB query failed: {exc})", flush=True)
        return
    counts = ", ".join(f"{s['tags']['device']}: {s['values'][0][1]}" for s in series)
    print(f"  readings stored so far: {counts or 'none yet'}", flush=True)
