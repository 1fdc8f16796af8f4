"""The bridge acknowledges only what is stored, handles big bursts, and isolates poison."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator

import pytest

from sensormesh.contract import DEADLETTER_TOPIC
from sensormesh.localrun.mesh import VIEWER_USER, LocalMesh
from tests.support.mqtt import MqttTestClient
from tests.support.polling import wait_for
from tests.support.readings import payload, reading
from tests.support.stored import stored_seqs, wait_for_stored

pytestmark = pytest.mark.integration


@pytest.fixture
def node_a(mesh: LocalMesh) -> Iterator[MqttTestClient]:
    client = MqttTestClient(
        mesh.broker.port,
        "node-a",
        mesh.password("node-a"),
        mesh.broker_setup.certs.ca_cert,
        client_id="test-node-a",
    )
    client.client.max_inflight_messages_set(0)
    client.connect()
    yield client
    client.close()


@pytest.fixture
def dead_letters(mesh: LocalMesh) -> Iterator[MqttTestClient]:
    client = MqttTestClient(
        mesh.broker.port, VIEWER_USER, mesh.password(VIEWER_USER), mesh.broker_setup.certs.ca_cert
    )
    client.connect()
    client.subscribe(DEADLETTER_TOPIC)
    yield client
    client.close()


def test_message_received_but_not_written_survives_bridge_sigkill(
    mesh: LocalMesh, node_a: MqttTestClient
) -> None:
    env = mesh.bridge_env(INFLUX_RETRY_MAX_S="0.5")
    bridge = mesh.start_bridge(env)
    mesh.influx.shim.stop()  # writes now fail: the bridge holds what it received
    for seq in range(5):
        node_a.publish("sensors/node-a/mock", payload(reading(seq)))
    wait_for(lambda: "holding 5 messages unacked" in bridge.log_text(), "bridge holds 5")
    bridge.kill()
    mesh.influx.start_shim()
    assert stored_seqs(mesh.influx) == {}
    mesh.start_bridge(env)
    counts = wait_for_stored(mesh.influx, lambda c: len(c) >= 5)
    assert counts == {("node-a", "mock", seq): 1 for seq in range(5)}


def test_burst_far_beyond_mosquitto_default_limits_is_stored_whole(
    mesh: LocalMesh, node_a: MqttTestClient
) -> None:
    mesh.start_bridge(mesh.bridge_env(BATCH_SIZE="1500"))
    infos = [
        node_a.client.publish("sensors/node-a/mock", payload(reading(seq)), qos=1)
        for seq in range(3000)
    ]
    for info in infos:
        info.wait_for_publish(60)
    counts = wait_for_stored(mesh.influx, lambda c: len(c) >= 3000)
    assert counts == {("node-a", "mock", seq): 1 for seq in range(3000)}


def test_poison_goes_to_dead_letters_and_neighbours_are_stored(
    mesh: LocalMesh, node_a: MqttTestClient, dead_letters: MqttTestClient
) -> None:
    mesh.start_bridge(mesh.bridge_env())
    poison = {
        b"not json": "not_json",
        b'{"ts": "2026-01-01T00:00:00Z", "seq": 1, "fields": {"t": "warm"}}': "non_numeric_value",
        b'{"ts": "2026-01-01T00:00:00Z", "seq": 1, "fields": {"t": NaN}}': "non_finite_value",
        b'{"ts": "yesterday", "seq": 1, "fields": {"t": 1}}': "bad_timestamp",
        b'{"ts": "2019-06-01T00:00:00Z", "seq": 1, "fields": {"t": 1}}': "clock_unsynced",
        b'{"ts": "2999-06-01T00:00:00Z", "seq": 1, "fields": {"t": 1}}': "clock_unsynced",
        b'{"seq": 1}': "bad_timestamp",
        b"[" + b"1," * 200_000 + b"1]": "oversized",
    }
    for seq, bad in enumerate(poison):
        node_a.publish("sensors/node-a/mock", payload(reading(2 * seq)))
        node_a.publish("sensors/node-a/mock", bad)
    wait_for_stored(mesh.influx, lambda c: len(c) >= len(poison))
    letters = [json.loads(m.payload) for m in dead_letters.received.wait_for(len(poison))]
    assert [letter["cause"] for letter in letters] == list(poison.values())
    assert all(letter["topic"] == "sensors/node-a/mock" and letter["reason"] for letter in letters)
    assert stored_seqs(mesh.influx) == {("node-a", "mock", 2 * s): 1 for s in range(len(poison))}


def test_points_influxdb_rejects_are_dead_lettered_and_the_rest_stored(
    mesh: LocalMesh, node_a: MqttTestClient, dead_letters: MqttTestClient
) -> None:
    # A string "humidity" already in this shard makes float humidity a field-type conflict.
    first = reading(0)
    mesh.influx.query('SELECT * FROM "readings"')  # database exists and answers
    line = f'readings,device=node-a,sensor=mock humidity="wet" {first.ts_ns - 1}'
    _write_v1(mesh, line)
    mesh.start_bridge(mesh.bridge_env(FLUSH_INTERVAL_S="1.0"))
    for seq in range(10):
        fields = {"humidity": 50.0} if seq in (3, 7) else {"temperature": 20.0}
        node_a.publish("sensors/node-a/mock", payload(reading(seq, fields)))
    letters = [json.loads(m.payload) for m in dead_letters.received.wait_for(2)]
    assert {letter["cause"] for letter in letters} == {"influx_rejected"}
    stored = wait_for_stored(mesh.influx, lambda c: len(c) >= 8)
    assert set(stored) == {("node-a", "mock", s) for s in range(10) if s not in (3, 7)}


def test_sigterm_flushes_what_it_holds_and_exits_zero(
    mesh: LocalMesh, node_a: MqttTestClient
) -> None:
    env = mesh.bridge_env(FLUSH_INTERVAL_S="60")  # only a full batch or a stop would write
    bridge = mesh.start_bridge(env)
    for seq in range(50):
        node_a.publish("sensors/node-a/mock", payload(reading(seq)))
    wait_for(lambda: mesh.bridge_health(env)["pending_messages"] == 50, "bridge holds 50")
    bridge.signal(signal.SIGTERM)
    assert bridge.wait(20) == 0
    assert stored_seqs(mesh.influx) == {("node-a", "mock", seq): 1 for seq in range(50)}


def _write_v1(mesh: LocalMesh, line: str) -> None:
    import urllib.request

    request = urllib.request.Request(
        f"{mesh.influx.v1_url}/write?db=sensormesh", data=line.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
