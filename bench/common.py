"""Bench plumbing shared by every benchmark: a real mesh, process stats, results on disk.

Everything runs on loopback against the same servers the integration tests use
(``sensormesh.localrun``): Debian's mosquitto with the repository's TLS config, influxd 1.6.7
behind the ``/api/v2/write`` shim, and the real bridge and publisher processes.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from sensormesh.admin.users import Role, add_user, new_password
from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess, wait_until
from sensormesh.mqtt import MqttSettings, new_client

RESULTS = Path(__file__).resolve().parent / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR")


def run_root(name: str) -> Path:
    """A fresh folder for one bench run's certificates, data and logs (gitignored)."""
    root = RESULTS / "runs" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    return root


def start_mesh(
    root: Path, devices: Sequence[str], extra: dict[str, Role] | None = None
) -> LocalMesh:
    """Broker and InfluxDB with a user per device plus any extra users (e.g. Node-RED)."""
    mesh = LocalMesh(root, list(devices))
    for name, role in (extra or {}).items():
        password = new_password()
        add_user(name, role, password, mesh.broker_setup.passwd_file, mesh.broker_setup.acl_file)
        mesh.broker_setup.passwords[name] = password
    return mesh.start_servers()


def create_database(mesh: LocalMesh, name: str) -> None:
    mesh.influx.query(f'CREATE DATABASE "{name}"', database=None)


def count_points(mesh: LocalMesh, database: str, measurement: str = "readings") -> int:
    query = f'SELECT count("seq") FROM "{measurement}"'
    series = mesh.influx.query(query, database=database)
    return int(series[0]["values"][0][1]) if series else 0


def points_written(mesh: LocalMesh) -> int:
    """influxd's own count of points written over HTTP: cheap, unlike a count() query that
    scans the data and would take CPU from the consumer being measured."""
    series = mesh.influx.query("SHOW STATS FOR 'httpd'", database=None)
    row = dict(zip(series[0]["columns"], series[0]["values"][0], strict=True))
    return int(row["pointsWrittenOK"])


def mqtt_settings(mesh: LocalMesh, user: str) -> MqttSettings:
    env = mesh.mqtt_env(user)
    return MqttSettings(
        host=env["MQTT_HOST"],
        port=int(env["MQTT_PORT"]),
        username=user,
        password=env["MQTT_PASSWORD"],
        ca_pem=Path(env["MQTT_CA_CERT"]).read_text(),
    )


def forget_session(mesh: LocalMesh, user: str, client_id: str) -> None:
    """Delete a persistent session so later phases' messages do not pile up in it."""
    client = new_client(mqtt_settings(mesh, user), client_id)
    client.on_socket_register_write = None
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 0
    client.connect("localhost", mesh.broker.port, clean_start=True, properties=properties)
    client.loop_start()
    try:
        if not connected.wait(10):
            raise TimeoutError(f"could not connect as {client_id} to clear its session")
    finally:
        client.disconnect()
        client.loop_stop()


def python_module(
    mesh: LocalMesh, name: str, module: str, args: Sequence[str], env: dict[str, str]
) -> ManagedProcess:
    inherited = {k: os.environ[k] for k in INHERITED_ENV if k in os.environ}
    process = ManagedProcess(
        name,
        [sys.executable, "-m", module, *args],
        mesh.logs / f"{name}.log",
        env={**inherited, **env},
    ).start()
    mesh.processes.append(process)
    return process


def last_json_line(process: ManagedProcess) -> dict[str, Any]:
    for line in reversed(process.log_text().splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"{process.name} printed no result:\n{process.log_text()[-2000:]}")


@dataclass(frozen=True)
class ProcSample:
    cpu_s: float
    rss_bytes: int
    write_bytes: int


def proc_sample(pid: int) -> ProcSample:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    rss_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    written = 0
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            written = int(line.split()[1])
    return ProcSample(cpu_s, rss_kb * 1024, written)


@dataclass
class Usage:
    """CPU and memory of one process over a window, sampled by :class:`UsageMeter`."""

    name: str
    pid: int
    first: ProcSample
    last: ProcSample
    peak_rss: int
    started: float
    stopped: float = 0.0

    def summary(self) -> dict[str, float]:
        wall = max(self.stopped - self.started, 1e-9)
        cpu = self.last.cpu_s - self.first.cpu_s
        return {
            "cpu_s": round(cpu, 3),
            "cpu_pct_of_core": round(100 * cpu / wall, 2),
            "rss_mb": round(self.last.rss_bytes / 2**20, 1),
            "peak_rss_mb": round(self.peak_rss / 2**20, 1),
            "disk_write_bytes": self.last.write_bytes - self.first.write_bytes,
            "wall_s": round(wall, 2),
        }


@dataclass
class UsageMeter:
    """Samples /proc for a set of processes once a second until stopped."""

    processes: dict[str, int]
    interval_s: float = 1.0
    usage: dict[str, Usage] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> UsageMeter:
        now = time.monotonic()
        for name, pid in self.processes.items():
            sample = proc_sample(pid)
            self.usage[name] = Usage(name, pid, sample, sample, sample.rss_bytes, now)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    def _sample(self) -> None:
        now = time.monotonic()
        for usage in self.usage.values():
            try:
                usage.last = proc_sample(usage.pid)
            except (OSError, ValueError):
                continue  # exited; keep its last sample
            usage.peak_rss = max(usage.peak_rss, usage.last.rss_bytes)
            usage.stopped = now

    def stop(self) -> dict[str, dict[str, float]]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
        return {name: usage.summary() for name, usage in self.usage.items()}


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not installed"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0] if done.stdout or done.stderr else ""
    )


def machine_facts() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "paho_mqtt": metadata.version("paho-mqtt"),
        "influxdb_client": metadata.version("influxdb-client"),
        "mosquitto": _version(["mosquitto", "-h"]),
        "influxd": _version(["influxd", "version"]),
    }


def save_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    body = {"bench": name, "machine": machine_facts(), **data}
    path.write_text(json.dumps(body, indent=2) + "\n")
    (RESULTS / f"{name}-latest.json").write_text(json.dumps(body, indent=2) + "\n")
    return path


def wait_for_count(mesh: LocalMesh, database: str, target: int, timeout: float, what: str) -> None:
    wait_until(lambda: count_points(mesh, database) >= target, what, timeout=timeout)
