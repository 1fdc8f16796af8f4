"""The peer: Node-RED 4 with node-red-contrib-influxdb, ``mqtt in`` → ``influxdb out``.

The flow is what a Node-RED user builds for this job: an MQTT v5 subscription over TLS
(verified against the mesh CA, persistent session, QoS 1, the same shared subscription as
the bridge) parsing JSON, a function node that maps a v1 reading to fields, tags and its
device timestamp, and an ``influxdb out`` node writing to InfluxDB 1.x ``/write`` directly
(no shim in its path). Installed by ``bench/setup-node-red`` into ``bench/.node-red``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess, free_port, http_ok, wait_until

INSTALL = Path(__file__).resolve().parent / ".node-red"
RED_JS = INSTALL / "node_modules" / "node-red" / "red.js"
USER = "nodered"

# The device timestamp has microseconds; JavaScript's Date has milliseconds, so the last
# three digits are added by hand and the point is written with precision "u".
MAP_READING = """
const parts = msg.topic.split('/');
const r = msg.payload;
const us = Date.parse(r.ts.slice(0, 19) + 'Z') * 1000 + Number(r.ts.slice(20, 26));
const fields = Object.assign({}, r.fields, {seq: r.seq + 'i', time: us});
msg.payload = [fields, Object.assign({device: parts[1], sensor: parts[2]}, r.tags || {})];
return msg;
"""


def installed() -> bool:
    return RED_JS.is_file() and shutil.which("node") is not None


def flow(mesh: LocalMesh, database: str, client_id: str, group: str) -> list[dict[str, Any]]:
    ca = str(mesh.broker_setup.certs.ca_cert)
    return [
        {"id": "tab", "type": "tab", "label": "bench"},
        {
            "id": "tls",
            "type": "tls-config",
            "name": "mesh CA",
            "cert": "",
            "key": "",
            "ca": ca,
            "verifyservercert": True,
            "servername": "localhost",
        },
        {
            "id": "broker",
            "type": "mqtt-broker",
            "name": "mesh",
            "broker": "localhost",
            "port": str(mesh.broker.port),
            "usetls": True,
            "tls": "tls",
            "clientid": client_id,
            "autoConnect": True,
            "protocolVersion": "5",
            "keepalive": "60",
            "cleansession": False,
            "autoUnsubscribe": False,
            "sessionExpiry": "3600",
        },
        {
            "id": "influx",
            "type": "influxdb",
            "hostname": "127.0.0.1",
            "port": str(mesh.influx.http_port),
            "database": database,
            "name": "bench",
            "usetls": False,
            "influxdbVersion": "1.x",
        },
        {
            "id": "in",
            "type": "mqtt in",
            "z": "tab",
            "name": "readings",
            "topic": f"$share/{group}/sensors/+/+",
            "qos": "1",
            "datatype": "json",
            "broker": "broker",
            "nl": False,
            "rap": True,
            "rh": 0,
            "inputs": 0,
            "wires": [["map"]],
        },
        {
            "id": "map",
            "type": "function",
            "z": "tab",
            "name": "to point",
            "func": MAP_READING,
            "outputs": 1,
            "wires": [["out"]],
        },
        {
            "id": "out",
            "type": "influxdb out",
            "z": "tab",
            "influxdb": "influx",
            "name": "",
            "measurement": "readings",
            "precision": "u",
            "retentionPolicy": "",
            "wires": [],
        },
    ]


class NodeRed:
    def __init__(self, mesh: LocalMesh, database: str, client_id: str, group: str) -> None:
        self.user_dir = mesh.root / f"node-red-{client_id}"
        self.user_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        (self.user_dir / "flows.json").write_text(
            json.dumps(flow(mesh, database, client_id, group), indent=1)
        )
        # Plain-text credentials file (credentialSecret false): a throwaway bench password.
        credentials = {
            "broker": {"user": USER, "password": mesh.password(USER)},
            "influx": {"username": "", "password": ""},
        }
        (self.user_dir / "flows_cred.json").write_text(json.dumps(credentials))
        (self.user_dir / "settings.js").write_text(
            "module.exports = {\n"
            "  credentialSecret: false,\n"
            "  flowFile: 'flows.json',\n"
            f"  uiPort: {self.port},\n"
            "  uiHost: '127.0.0.1',\n"
            "  logging: {console: {level: 'warn'}},\n"
            "  diagnostics: {enabled: false},\n"
            "  telemetry: {enabled: false},\n"
            "  externalModules: {autoInstall: false},\n"
            "};\n"
        )
        self.process = ManagedProcess(
            f"node-red-{client_id}",
            [
                "node",
                str(RED_JS),
                "--userDir",
                str(self.user_dir),
                "--settings",
                str(self.user_dir / "settings.js"),
            ],
            mesh.logs / f"node-red-{client_id}.log",
        )

    def start(self) -> NodeRed:
        self.process = ManagedProcess(
            self.process.name, self.process.argv, self.process.log_path, self.process.env
        ).start()
        wait_until(
            lambda: http_ok(f"http://127.0.0.1:{self.port}/"),
            "Node-RED http",
            timeout=60,
            process=self.process,
        )
        return self

    def stop(self) -> None:
        self.process.stop()
