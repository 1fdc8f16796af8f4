"""Two real publisher processes and one bridge, through TLS Mosquitto, into a real database."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from sensormesh.localrun.influx import VictoriaMetricsServer
from sensormesh.localrun.mesh import LocalMesh
from tests.support.polling import wait_for
from tests.support.stored import stored_seqs, wait_for_stored

pytestmark = pytest.mark.integration

NODES = ("node-a", "node-b")
READINGS_EACH = 15


def _start_fast_nodes(mesh: LocalMesh) -> None:
    for device in NODES:
        mesh.start_node(
            mesh.node_env(
                device, SAMPLE_INTERVAL_S="0.05", SENSORS="mock,mock:name=spare", TAGS="room=lab 1"
            )
        )


def _stop_nodes(mesh: LocalMesh) -> None:
    for process in mesh.processes:
        if process.name.startswith("node-"):
            assert process.stop() == 0, process.log_text()


def test_every_seq_arrives_exactly_once_in_influxdb(mesh: LocalMesh) -> None:
    bridge = mesh.start_bridge(mesh.bridge_env())
    _start_fast_nodes(mesh)
    wait_for_stored(mesh.influx, lambda c: _min_per_stream(c) >= READINGS_EACH)
    _stop_nodes(mesh)
    bridge.signal(signal.SIGTERM)
    assert bridge.wait(30) == 0, bridge.log_text()

    counts = stored_seqs(mesh.influx)
    streams = {(device, sensor) for device, sensor, _ in counts}
    assert streams == {(d, s) for d in NODES for s in ("mock", "spare")}
    for device, sensor in streams:
        seqs = sorted(seq for d, s, seq in counts if (d, s) == (device, sensor))
        assert seqs == list(range(len(seqs))), f"gap or reorder in {device}/{sensor}"
    assert set(counts.values()) == {1}, "a seq was stored twice"
    rows = mesh.influx.query('SELECT * FROM "readings" WHERE "device" = \'node-a\' LIMIT 1')
    columns = rows[0]["columns"]
    assert {"temperature", "humidity", "pressure", "seq", "room", "sensor"} <= set(columns)
    assert dict(zip(columns, rows[0]["values"][0], strict=True))["room"] == "lab 1"


def test_node_status_is_stored_online_then_offline(mesh: LocalMesh) -> None:
    mesh.start_bridge(mesh.bridge_env())
    node = mesh.start_node(mesh.node_env("node-a"))
    wait_for(lambda: _online_values(mesh) == [1], "online status stored")
    assert node.stop() == 0
    wait_for(lambda: _online_values(mesh) == [1, 0], "offline status stored")


def test_same_pipeline_into_victoria_metrics(mesh: LocalMesh, tmp_path: Path) -> None:
    victoria = VictoriaMetricsServer(tmp_path / "vm", mesh.logs).start()
    try:
        mesh.start_bridge(mesh.bridge_env(influx_url=victoria.url))
        _start_fast_nodes(mesh)

        def seqs_by_stream() -> dict[tuple[str, str], list[int]]:
            found: dict[tuple[str, str], list[int]] = {}
            for series in victoria.export("readings_seq"):
                key = (series["metric"]["device"], series["metric"]["sensor"])
                found[key] = sorted(int(v) for v in series["values"])
            return found

        wait_for(
            lambda: (
                len(seqs_by_stream()) == 4 and min(len(v) for v in seqs_by_stream().values()) >= 10
            ),
            "VM has data",
        )
        _stop_nodes(mesh)
        final = seqs_by_stream()
        for stream, seqs in final.items():
            assert seqs == list(range(len(seqs))), f"{stream}: gaps or duplicates {seqs}"
        temperatures = victoria.export("readings_temperature")
        assert all(10 < float(v) < 35 for s in temperatures for v in s["values"])
    finally:
        victoria.stop()


def _min_per_stream(counts: Counter[tuple[str, str, int]]) -> int:
    per_stream = Counter((device, sensor) for device, sensor, _ in counts)
    return min(per_stream.values()) if len(per_stream) == 4 else 0


def _online_values(mesh: LocalMesh) -> list[int]:
    series = mesh.influx.query('SELECT "online" FROM "device_status" WHERE "device" = \'node-a\'')
    return [int(row[1]) for row in series[0]["values"]] if series else []
