"""The collector's first boot, run as the broker image runs it, then the real broker.

Debian's python3 with Debian's python3-cryptography (what mosquitto/Dockerfile installs)
creates the files; Mosquitto with the repository's mosquitto.conf serves them; a node that
dials a name from the certificate connects with the password first boot gave it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sensormesh.admin.certs import cert_paths
from sensormesh.localrun.broker import Broker, BrokerSetup
from sensormesh.localrun.processes import free_port
from tests.support.deploy import ROOT
from tests.support.mqtt import MqttTestClient as MqttClient

pytestmark = pytest.mark.integration

DEBIAN_PYTHON = Path("/usr/bin/python3")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),  # the image copies the package and sets PYTHONPATH
        "MQTT_DEVICES": "node-2",
        "BALENA_DEVICE_NAME_AT_INIT": "collector-pi",
    }
    argv = [str(DEBIAN_PYTHON), "-m", "sensormesh.deploy.firstboot"]
    argv += ["--certs-dir", str(tmp_path / "certs"), "--config-dir", str(tmp_path / "config")]
    argv += ["--shared-dir", str(tmp_path / "shared")]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    (tmp_path / "data").mkdir()
    setup = BrokerSetup(tmp_path, cert_paths(tmp_path / "certs"), {})
    server = Broker(setup, free_port(), tmp_path / "logs").start()
    try:
        yield server
    finally:
        server.stop()


def connect(broker: Broker, user: str, password: str) -> int:
    shared = broker.setup.root / "shared"
    client = MqttClient(broker.port, user, password, shared / "ca.crt", host="localhost")
    try:
        return int(client.connect().value)
    finally:
        client.close()


def test_nodes_connect_with_what_first_boot_shared(broker: Broker) -> None:
    passwords = broker.setup.root / "shared" / "passwords"
    for user in ("node-2", "collector-pi", "bridge"):
        assert connect(broker, user, (passwords / user).read_text()) == 0, user


def test_a_wrong_password_is_refused(broker: Broker) -> None:
    assert connect(broker, "node-2", "not-the-password") != 0
