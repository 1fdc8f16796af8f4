"""Lose nothing: every seq a node took is in InfluxDB exactly once, whatever restarts.

Each scenario runs several nodes sampling every 50 ms, injects one fault, heals it, stops the
nodes cleanly and compares what each node committed to its outbox with what InfluxDB holds.
Outage lengths are the issue's (30 s InfluxDB, 60 s cut-off); everything else waits on a
condition, never a fixed sleep.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator

import pytest

from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess
from tests.support.faults import assert_exactly_once, taken_by_node
from tests.support.polling import wait_for
from tests.support.stored import stored_seqs
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration

RecordProperty = Callable[[str, object], None]
NODES = ("node-a", "node-b", "node-c")
FAST = {"SAMPLE_INTERVAL_S": "0.05", "MQTT_BACKOFF_MAX_S": "1"}
INFLUX_OUTAGE_S = 30.0
CUT_OFF_S = 60.0


def _start_nodes(mesh: LocalMesh, port: int | None = None) -> list[ManagedProcess]:
    overrides = dict(FAST, MQTT_PORT=str(port)) if port else FAST
    return [mesh.start_node(mesh.node_env(device, **overrides)) for device in NODES]


def _stored_count(mesh: LocalMesh) -> int:
    return len(stored_seqs(mesh.influx))


def _grows_by(mesh: LocalMesh, count: int) -> float:
    """Wait until InfluxDB holds ``count`` more readings than now; return how long it took."""
    started = time.monotonic()
    target = _stored_count(mesh) + count
    wait_for(lambda: _stored_count(mesh) >= target, f"{count} more readings stored")
    return time.monotonic() - started


def _finish(mesh: LocalMesh, nodes: list[ManagedProcess]) -> None:
    for node in nodes:
        assert node.stop() == 0, node.log_text()[-2000:]
    taken = set().union(*(taken_by_node(mesh, device) for device in NODES))
    assert_exactly_once(mesh.influx, taken)


@pytest.fixture
def proxy(mesh: LocalMesh) -> Iterator[TcpProxy]:
    running = TcpProxy(mesh.broker.port).start()
    yield running
    running.stop()


def test_broker_restart_with_sigterm_mid_stream(
    mesh: LocalMesh, record_property: RecordProperty
) -> None:
    mesh.start_bridge(mesh.bridge_env())
    nodes = _start_nodes(mesh)
    _grows_by(mesh, 60)
    mesh.broker.stop()
    mesh.broker.start()
    record_property("recovery_s", round(_grows_by(mesh, 60), 2))
    _finish(mesh, nodes)


def test_broker_sigkill_after_its_autosave_loses_nothing(
    mesh: LocalMesh, record_property: RecordProperty
) -> None:
    mesh.start_bridge(mesh.bridge_env())
    db = mesh.broker_setup.root / "data" / "mosquitto.db"
    # The autosave (every 30 s) is what makes the bridge's session survive a hard kill;
    # SIGUSR1 asks for that save now instead of waiting for the timer.
    mesh.broker.process.signal(signal.SIGUSR1)
    wait_for(db.exists, "broker persistence file written")
    nodes = _start_nodes(mesh)
    _grows_by(mesh, 60)
    mesh.broker.process.kill()
    mesh.broker.start()
    record_property("recovery_s", round(_grows_by(mesh, 60), 2))
    _finish(mesh, nodes)


def test_influxdb_stopped_for_30_seconds(mesh: LocalMesh, record_property: RecordProperty) -> None:
    env = mesh.bridge_env(STALL_TIMEOUT_S="2", INFLUX_RETRY_MAX_S="2")
    bridge = mesh.start_bridge(env)
    nodes = _start_nodes(mesh)
    _grows_by(mesh, 60)
    mesh.influx.influxd.stop()
    outage_ends = time.monotonic() + INFLUX_OUTAGE_S
    wait_for(lambda: not mesh.bridge_health(env)["healthy"], "bridge reports the stall")
    wait_for(lambda: time.monotonic() >= outage_ends, "the outage to last", INFLUX_OUTAGE_S + 5)
    mesh.influx.start_influxd()
    healed = time.monotonic()
    wait_for(lambda: mesh.bridge_health(env)["healthy"], "bridge healthy again")
    _grows_by(mesh, 60)
    record_property("recovery_s", round(time.monotonic() - healed, 2))
    _finish(mesh, nodes)
    assert "InfluxDB writes recovered after" in bridge.log_text()


def test_bridge_sigkill_mid_batch_then_restart(
    mesh: LocalMesh, record_property: RecordProperty
) -> None:
    env = mesh.bridge_env(FLUSH_INTERVAL_S="0.5")
    bridge = mesh.start_bridge(env)
    nodes = _start_nodes(mesh)
    _grows_by(mesh, 60)
    wait_for(lambda: mesh.bridge_health(env)["pending_messages"] > 0, "a batch in the making")
    bridge.kill()
    mesh.start_bridge(env)
    record_property("recovery_s", round(_grows_by(mesh, 60), 2))
    _finish(mesh, nodes)


def test_node_sigkill_with_a_backlog_on_disk(
    mesh: LocalMesh, proxy: TcpProxy, record_property: RecordProperty
) -> None:
    mesh.start_bridge(mesh.bridge_env())
    nodes = _start_nodes(mesh, port=proxy.port)
    _grows_by(mesh, 30)
    proxy.cut()
    backlog_from = _stored_count(mesh)
    victim = nodes[0]
    outbox = mesh.node_env(NODES[0])["BUFFER_PATH"]
    wait_for(lambda: _outbox_rows(outbox) >= 40, "a backlog on the node's disk")
    victim.kill()
    proxy.restore()
    nodes[0] = mesh.start_node(mesh.node_env(NODES[0], **FAST, MQTT_PORT=str(proxy.port)))
    healed = time.monotonic()
    wait_for(lambda: _stored_count(mesh) > backlog_from + 40, "backlog replayed")
    record_property("recovery_s", round(time.monotonic() - healed, 2))
    _finish(mesh, nodes)


def test_node_cut_off_from_the_broker_for_60_seconds(
    mesh: LocalMesh, proxy: TcpProxy, record_property: RecordProperty
) -> None:
    mesh.start_bridge(mesh.bridge_env())
    nodes = _start_nodes(mesh, port=proxy.port)
    _grows_by(mesh, 30)
    proxy.cut()
    cut_until = time.monotonic() + CUT_OFF_S
    wait_for(lambda: time.monotonic() >= cut_until, "the cut-off to last", CUT_OFF_S + 5)
    proxy.restore()
    drained = _grows_by(mesh, 3 * int(CUT_OFF_S / 0.05))  # every node's backlog drains
    record_property("recovery_s", round(drained, 2))
    _finish(mesh, nodes)


def test_nodes_started_before_any_bridge_keep_their_readings(
    mesh: LocalMesh, record_property: RecordProperty
) -> None:
    nodes = _start_nodes(mesh)
    outbox = mesh.node_env(NODES[0])["BUFFER_PATH"]
    # PUBACK says "no matching subscribers": the readings must stay on the node's disk.
    wait_for(lambda: "no subscriber took" in nodes[0].log_text(), "node notices no bridge")
    wait_for(lambda: _outbox_rows(outbox) >= 20, "readings kept while nobody listens")
    mesh.start_bridge(mesh.bridge_env())
    record_property("recovery_s", round(_grows_by(mesh, 60), 2))
    _finish(mesh, nodes)


def test_two_bridges_in_one_group_one_killed_mid_stream(
    mesh: LocalMesh, record_property: RecordProperty
) -> None:
    env_one = mesh.bridge_env("bridge-1")
    env_two = mesh.bridge_env("bridge-2")
    one = mesh.start_bridge(env_one)
    mesh.start_bridge(env_two)
    nodes = _start_nodes(mesh)
    _grows_by(mesh, 60)
    wait_for(lambda: mesh.bridge_health(env_two)["received"] > 0, "bridge-2 shares the load")
    one.kill()
    record_property("recovery_s", round(_grows_by(mesh, 60), 2))
    mesh.start_bridge(env_one)  # its persistent session still holds what it had in flight
    _grows_by(mesh, 30)
    _finish(mesh, nodes)


def _outbox_rows(path: str) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])
