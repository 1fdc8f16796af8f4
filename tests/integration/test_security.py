"""The broker as configured in mosquitto/ is secure by default: TLS only, users, per-user ACL."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest

from sensormesh.localrun.mesh import BRIDGE_USER, VIEWER_USER, LocalMesh
from tests.support.mqtt import MqttTestClient

pytestmark = pytest.mark.integration

# An MQTT 3.1.1 CONNECT for client id "x", sent in the clear.
PLAINTEXT_CONNECT = bytes([0x10, 13, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 30, 0, 1]) + b"x"


@pytest.fixture
def clients(mesh: LocalMesh) -> Iterator[list[MqttTestClient]]:
    made: list[MqttTestClient] = []
    yield made
    for client in made:
        client.close()


def _client(
    mesh: LocalMesh, made: list[MqttTestClient], user: str | None, password: str | None = None
) -> MqttTestClient:
    password = password if password is not None or user is None else mesh.password(user)
    client = MqttTestClient(mesh.broker.port, user, password, mesh.broker_setup.certs.ca_cert)
    made.append(client)
    return client


def _watcher(mesh: LocalMesh, made: list[MqttTestClient]) -> MqttTestClient:
    viewer = _client(mesh, made, VIEWER_USER)
    assert not viewer.connect().is_failure
    viewer.subscribe("sensors/#")
    return viewer


def test_anonymous_client_is_refused(mesh: LocalMesh, clients: list[MqttTestClient]) -> None:
    assert str(_client(mesh, clients, None).connect()) == "Not authorized"


def test_wrong_password_is_refused(mesh: LocalMesh, clients: list[MqttTestClient]) -> None:
    reason = _client(mesh, clients, "node-a", password="not-the-password").connect()
    assert reason.is_failure and str(reason) in ("Not authorized", "Bad user name or password")


def test_node_cannot_publish_to_another_nodes_topic(
    mesh: LocalMesh, clients: list[MqttTestClient]
) -> None:
    viewer = _watcher(mesh, clients)
    node_a = _client(mesh, clients, "node-a")
    assert not node_a.connect().is_failure
    assert str(node_a.publish("sensors/node-b/mock", b"forged")) == "Not authorized"
    assert not node_a.publish("sensors/node-a/mock", b"marker").is_failure
    received = viewer.received.wait_for(1)
    assert [(m.topic, m.payload) for m in received] == [("sensors/node-a/mock", b"marker")]


def test_viewer_cannot_publish_anywhere(mesh: LocalMesh, clients: list[MqttTestClient]) -> None:
    viewer = _watcher(mesh, clients)
    for topic in ("sensors/viewer/mock", "sensors/node-a/mock", "sensormesh/deadletter"):
        assert str(viewer.publish(topic, b"x")) == "Not authorized", topic
    node_a = _client(mesh, clients, "node-a")
    node_a.connect()
    node_a.publish("sensors/node-a/mock", b"marker")
    assert [m.payload for m in viewer.received.wait_for(1)] == [b"marker"]


def test_bridge_cannot_inject_readings(mesh: LocalMesh, clients: list[MqttTestClient]) -> None:
    bridge = _client(mesh, clients, BRIDGE_USER)
    bridge.connect()
    assert str(bridge.publish("sensors/bridge/mock", b"x")) == "Not authorized"
    assert not bridge.publish("sensormesh/deadletter", b"{}").is_failure


def test_plaintext_connection_gets_no_mqtt_answer(mesh: LocalMesh) -> None:
    with socket.create_connection(("127.0.0.1", mesh.broker.port), timeout=10) as sock:
        sock.sendall(PLAINTEXT_CONNECT)
        try:
            answer = sock.recv(64)
        except ConnectionResetError:
            answer = b""  # the TLS listener hung up on the cleartext bytes
    assert not answer.startswith(b"\x20"), "broker sent a CONNACK over plaintext"


def test_client_without_the_ca_fails_verification(mesh: LocalMesh) -> None:
    context = ssl.create_default_context()  # system CAs only: our private CA is unknown
    with (
        socket.create_connection(("127.0.0.1", mesh.broker.port), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname="localhost")


def test_certificate_is_valid_for_the_ip_address_too(mesh: LocalMesh) -> None:
    context = ssl.create_default_context(cafile=str(mesh.broker_setup.certs.ca_cert))
    with (
        socket.create_connection(("127.0.0.1", mesh.broker.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
