"""The whole mesh as local processes: broker, InfluxDB, bridges and nodes.

The demo and the integration tests both build on this, so what the README's demo shows is
what the tests exercise.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sensormesh.admin.users import Role
from sensormesh.localrun.broker import Broker, BrokerSetup, prepare_broker
from sensormesh.localrun.influx import DATABASE, InfluxServer
from sensormesh.localrun.processes import ManagedProcess, free_port, wait_until

BRIDGE_USER = "bridge"
VIEWER_USER = "viewer"


class LocalMesh:
    def __init__(self, root: Path, devices: list[str], broker_port: int | None = None) -> None:
        self.root = root
        self.logs = root / "logs"
        users = {BRIDGE_USER: Role.BRIDGE, VIEWER_USER: Role.VIEWER}
        users.update({device: Role.DEVICE for device in devices})
        self.broker_setup: BrokerSetup = prepare_broker(root / "mosquitto", users)
        self.broker = Broker(self.broker_setup, broker_port, self.logs)
        self.influx = InfluxServer(root / "influxdb", self.logs)
        self.processes: list[ManagedProcess] = []

    def start_servers(self) -> LocalMesh:
        """Start the broker and InfluxDB; if either fails, stop what did start."""
        try:
            self.broker.start()
            self.influx.start()
        except BaseException:
            self.stop()
            raise
        return self

    def password(self, user: str) -> str:
        return self.broker_setup.passwords[user]

    def mqtt_env(self, user: str) -> dict[str, str]:
        return {
            "MQTT_HOST": "localhost",
            "MQTT_PORT": str(self.broker.port),
            "MQTT_USERNAME": user,
            "MQTT_PASSWORD": self.password(user),
            "MQTT_CA_CERT": str(self.broker_setup.certs.ca_cert),
        }

    def bridge_env(
        self, bridge_id: str = "bridge-1", influx_url: str | None = None, **overrides: str
    ) -> dict[str, str]:
        env = {
            **_base_env(),
            **self.mqtt_env(BRIDGE_USER),
            "BRIDGE_ID": bridge_id,
            "INFLUX_URL": influx_url or self.influx.url,
            "INFLUX_TOKEN": "sensormesh:unused",
            "INFLUX_ORG": "-",
            "INFLUX_BUCKET": f"{DATABASE}/autogen",
            "FLUSH_INTERVAL_S": "0.2",
            "HEALTH_BIND": "127.0.0.1",
            "HEALTH_PORT": str(free_port()),
            "METRICS_INTERVAL_S": "1",
        }
        env.update(overrides)
        return env

    def bridge_health(self, env: dict[str, str]) -> dict[str, Any]:
        """The bridge's /healthz body (served with 200 or 503, both read here)."""
        url = f"http://127.0.0.1:{env['HEALTH_PORT']}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body: dict[str, Any] = json.load(response)
        except urllib.error.HTTPError as error:
            body = json.load(error)
        return body

    def node_env(self, device: str, **overrides: str) -> dict[str, str]:
        env = {
            **_base_env(),
            **self.mqtt_env(device),
            "DEVICE_NAME": device,
            "SENSORS": "mock",
            "SAMPLE_INTERVAL_S": "1",
            "BUFFER_PATH": str(self.root / "nodes" / device / "outbox.sqlite"),
        }
        env.update(overrides)
        return env

    def start_bridge(self, env: dict[str, str], wait_subscribed: bool = True) -> ManagedProcess:
        """Start a bridge; by default return once its subscription is in place, since the
        broker keeps messages only for sessions that exist."""
        process = self._start(f"bridge-{env['BRIDGE_ID']}", "bridge", env)
        if wait_subscribed:
            wait_until(
                lambda: "subscribed to" in process.log_text(),
                "bridge subscription",
                process=process,
            )
        return process

    def start_node(self, env: dict[str, str]) -> ManagedProcess:
        return self._start(f"node-{env['DEVICE_NAME']}", "publisher", env)

    def _start(self, name: str, module: str, env: dict[str, str]) -> ManagedProcess:
        process = ManagedProcess(
            name, [sys.executable, "-m", module], self.logs / f"{name}.log", env=env
        ).start()
        self.processes.append(process)
        return process

    def stop(self) -> None:
        """Stop everything by PID: services first, then the servers they talk to."""
        for process in reversed(self.processes):
            process.stop()
        self.influx.stop()
        self.broker.stop()


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "VIRTUAL_ENV", "PYTHONPATH", "TMPDIR")
    return {key: os.environ[key] for key in keep if key in os.environ}
