"""The database alone: the bridge's own lines posted straight to InfluxDB in batches."""

from __future__ import annotations

import http.client
import time
import urllib.parse
from collections.abc import Sequence

from bench.common import count_points, create_database
from bench.flood import TS_STEP_NS, flood_payloads
from bench.phases import Load
from bridge.config import load_bridge_config
from bridge.intake import message_lines
from sensormesh.contract import reading_topic
from sensormesh.localrun.mesh import LocalMesh

BATCH_LINES = 5000


def database_phase(mesh: LocalMesh, load: Load, run: int) -> dict[str, float]:
    """The same lines the bridge would write, posted in bridge-sized batches, one connection."""
    settings = load_bridge_config(mesh.bridge_env()).influx
    lines: list[str] = []
    now = time.time_ns()
    for device in load.devices:
        start_ns = now - load.per_device * TS_STEP_NS
        for payload in flood_payloads(load.per_device, 0, start_ns):
            lines.extend(message_lines(settings, reading_topic(device, "flood"), payload, now))
    rates = {}
    for via, port, path in (
        ("shim", mesh.influx.shim_port, "/api/v2/write?bucket={db}/autogen&precision=ns"),
        ("direct", mesh.influx.http_port, "/write?db={db}&precision=n"),
    ):
        database = f"db_{via}_r{run}"
        create_database(mesh, database)
        rates[f"rate_{via}"] = round(post_lines(port, path.format(db=database), lines), 1)
        if count_points(mesh, database) != len(lines):
            raise RuntimeError(f"{database}: stored {count_points(mesh, database)} of {len(lines)}")
    return rates


def post_lines(port: int, path: str, lines: Sequence[str]) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "text/plain; charset=utf-8", "Authorization": "Token u:p"}
    started = time.monotonic()
    for i in range(0, len(lines), BATCH_LINES):
        body = "\n".join(lines[i : i + BATCH_LINES]).encode()
        connection.request("POST", urllib.parse.quote(path, safe="/?=&"), body, headers)
        response = connection.getresponse()
        response.read()
        if response.status != 204:
            raise RuntimeError(f"POST {path}: {response.status}")
    connection.close()
    return len(lines) / (time.monotonic() - started)
