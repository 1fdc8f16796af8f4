"""``sensormesh simulate`` against the real broker and bridge: every reading is stored."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from sensormesh.admin.cli import main as cli_main
from sensormesh.contract import Reading, encode_readings, reading_topic
from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess, wait_until
from sensormesh.simfleet import SENSOR
from tests.support import mqtt as support_mqtt
from tests.support.stored import stored_seqs

pytestmark = pytest.mark.integration

SIM_DEVICES = [f"sim-{i:04d}" for i in range(1, 9)]


@pytest.fixture
def fleet_mesh(tmp_path: Path) -> LocalMesh:
    return LocalMesh(tmp_path, SIM_DEVICES)


def _start_bridge(mesh: LocalMesh) -> None:
    """Start the bridge and prove its session exists: a probe reading must be stored."""
    mesh.start_bridge(mesh.bridge_env())
    env = mesh.mqtt_env(SIM_DEVICES[0])
    client = support_mqtt.MqttTestClient(
        mesh.broker.port, env["MQTT_USERNAME"], env["MQTT_PASSWORD"], Path(env["MQTT_CA_CERT"])
    )

    client.connect()
    try:
        for attempt in range(30):
            probe = Reading(time.time_ns(), attempt, {"v": 1.0})
            client.publish(reading_topic(SIM_DEVICES[0], "probe"), encode_readings([probe]))
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                if stored_seqs(mesh.influx):
                    return
                time.sleep(0.1)
        raise TimeoutError("the bridge never stored the probe reading")
    finally:
        client.close()


def _credentials(mesh: LocalMesh, path: Path) -> Path:
    path.write_text("".join(f"{d}:{mesh.password(d)}\n" for d in SIM_DEVICES))
    return path


def _simulate(mesh: LocalMesh, tmp_path: Path, seconds: float) -> ManagedProcess:
    argv = [
        sys.executable, "-m", "sensormesh.simulate",
        "--nodes", str(len(SIM_DEVICES)), "--rate", "5", "--seconds", str(seconds),
        "--workers", "2", "--port", str(mesh.broker.port),
        "--ca-cert", str(mesh.broker_setup.certs.ca_cert),
        "--credentials", str(_credentials(mesh, tmp_path / "fleet.creds")),
        "--summary", str(tmp_path / "summary.json"),
    ]  # fmt: skip
    return ManagedProcess("simulate", argv, mesh.logs / "simulate.log").start()


def _status(process: ManagedProcess) -> dict[str, int]:
    lines = [line for line in process.log_text().splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"connected": 0, "generated": 0}


def _connected(process: ManagedProcess) -> int:
    return _status(process)["connected"]


def _wait_stored(mesh: LocalMesh, expected: dict[str, int]) -> None:
    def complete() -> bool:
        stored = stored_seqs(mesh.influx)
        return all(
            all(stored[(device, SENSOR, seq)] == 1 for seq in range(count))
            for device, count in expected.items()
        )

    wait_until(complete, "every simulated reading stored", timeout=60)


def test_every_simulated_reading_is_stored_once(fleet_mesh: LocalMesh, tmp_path: Path) -> None:
    mesh = fleet_mesh.start_servers()
    try:
        _start_bridge(mesh)
        simulate = _simulate(mesh, tmp_path, seconds=3)
        assert simulate.wait(60) == 0, simulate.log_text()
        summary = json.loads((tmp_path / "summary.json").read_text())
        assert summary["lost"] == 0
        assert set(summary["by_device"]) == set(SIM_DEVICES)
        assert all(count >= 5 for count in summary["by_device"].values())
        _wait_stored(mesh, summary["by_device"])
        stored = stored_seqs(mesh.influx)
        assert (
            sum(n for (_, sensor, _), n in stored.items() if sensor == SENSOR)
            == summary["generated"]
        )
    finally:
        mesh.stop()


def test_after_a_broker_restart_every_node_reconnects_and_every_reading_is_stored_once(
    fleet_mesh: LocalMesh, tmp_path: Path
) -> None:
    # mosquitto 2.0.11 forgets the bridge's shared subscription when it restarts; like the
    # real node, the simulator sends again what the broker PUBACKs "no matching subscribers".
    mesh = fleet_mesh.start_servers()
    try:
        _start_bridge(mesh)
        simulate = _simulate(mesh, tmp_path, seconds=6)
        wait_until(lambda: _connected(simulate) == len(SIM_DEVICES), "fleet connected")
        generated_before = _status(simulate)["generated"]
        mesh.broker.stop()
        time.sleep(0.5)  # an outage of some length, not a synchronisation
        mesh.broker.start()
        assert simulate.wait(90) == 0, simulate.log_text()
        summary = json.loads((tmp_path / "summary.json").read_text())
        assert summary["generated"] > generated_before
        assert summary["acked"] == summary["generated"]
        assert summary["lost"] == 0
        assert summary["connects"] >= 2 * len(SIM_DEVICES)  # everyone came back
        _wait_stored(mesh, summary["by_device"])

    finally:
        mesh.stop()


def test_cli_refuses_a_missing_ca_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    creds = tmp_path / "c"
    creds.write_text("a:b\n")
    argv = ["simulate", "--nodes", "1", "--credentials", str(creds), "--ca-cert", "/nope.crt"]
    assert cli_main(argv) == 1
    assert "--ca-cert" in capsys.readouterr().err
