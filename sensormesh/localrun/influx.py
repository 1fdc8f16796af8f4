"""Local time-series servers: Debian's influxd (behind the v2 shim) and VictoriaMetrics."""

from __future__ import annotations

import json
import shutil
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from sensormesh.localrun.broker import repo_root
from sensormesh.localrun.processes import (
    ManagedProcess,
    free_port,
    http_ok,
    start_with_free_ports,
    wait_until,
)

DATABASE = "sensormesh"


class InfluxServer:
    """influxd 1.x plus the ``/api/v2/write`` shim; ``url`` is what the bridge is given."""

    def __init__(self, root: Path, logs: Path) -> None:
        self.root = root
        self.logs = logs
        root.mkdir(parents=True, exist_ok=True)
        self.config_path = root / "influxdb.conf"
        self._configure()

    def _configure(self) -> None:
        """Pick ports and write the config; called again if a port was taken meanwhile."""
        self.http_port = free_port()
        self.shim_port = free_port()
        template = (repo_root() / "influxdb" / "influxdb-local.conf").read_text()
        self.config_path.write_text(
            template.format(root=self.root, http_port=self.http_port, rpc_port=free_port())
        )
        influxd = shutil.which("influxd") or "/usr/bin/influxd"
        self.influxd = ManagedProcess(
            "influxd", [influxd, "-config", str(self.config_path)], self.logs / "influxd.log"
        )
        shim_argv = [
            sys.executable,
            "-m",
            "sensormesh.localrun.influx_v2_shim",
            "--port",
            str(self.shim_port),
            "--influx-url",
            self.v1_url,
        ]
        self.shim = ManagedProcess("influx-v2-shim", shim_argv, self.logs / "influx-v2-shim.log")

    @property
    def v1_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.shim_port}"

    def start(self) -> InfluxServer:
        def start_both() -> None:
            self.start_influxd()
            self.query(f'CREATE DATABASE "{DATABASE}"', database=None)
            self.start_shim()

        def pick_new_ports() -> None:
            self.stop()
            self._configure()

        start_with_free_ports(start_both, pick_new_ports)
        return self

    def start_influxd(self) -> None:
        self.influxd = _fresh(self.influxd).start()
        wait_until(lambda: http_ok(f"{self.v1_url}/ping"), "influxd /ping", process=self.influxd)

    def start_shim(self) -> None:
        self.shim = _fresh(self.shim).start()
        wait_until(lambda: http_ok(f"{self.url}/ping"), "v2 shim", process=self.shim)

    def stop(self) -> None:
        self.shim.stop()
        self.influxd.stop()

    def query(self, influxql: str, database: str | None = DATABASE) -> list[dict[str, Any]]:
        """Run InfluxQL; return the series of the first statement (empty list if none)."""
        params = {"q": influxql, "epoch": "ns"}
        if database:
            params["db"] = database
        data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(f"{self.v1_url}/query", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.load(response)
        result = body["results"][0]
        if "error" in result:
            raise RuntimeError(f"InfluxQL error for {influxql!r}: {result['error']}")
        series: list[dict[str, Any]] = result.get("series", [])
        return series


class VictoriaMetricsServer:
    """A second real backend that accepts influxdb-client's writes with no adapter."""

    def __init__(self, root: Path, logs: Path) -> None:
        self.root = root
        self.logs = logs
        self._configure()

    def _configure(self) -> None:
        self.port = free_port()
        binary = shutil.which("victoria-metrics") or "/usr/bin/victoria-metrics"
        argv = [
            binary,
            f"-storageDataPath={self.root}",
            f"-httpListenAddr=127.0.0.1:{self.port}",
            "-retentionPeriod=100y",
            "-loggerLevel=ERROR",
        ]
        self.process = ManagedProcess("victoria-metrics", argv, self.logs / "victoria-metrics.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> VictoriaMetricsServer:
        start_with_free_ports(self._start_once, self._configure)
        return self

    def _start_once(self) -> None:
        self.process = ManagedProcess(
            self.process.name, self.process.argv, self.process.log_path
        ).start()
        wait_until(
            lambda: http_ok(f"{self.url}/health"), "victoria-metrics /health", process=self.process
        )

    def stop(self) -> None:
        self.process.stop()

    def export(self, metric_regex: str) -> list[dict[str, Any]]:
        """All stored samples (``/api/v1/query`` hides the last ~30 s; export does not)."""
        self.flush()
        params = urllib.parse.urlencode({"match[]": f'{{__name__=~"{metric_regex}"}}'})
        with urllib.request.urlopen(
            f"{self.url}/api/v1/export?{params}",
            timeout=30,
        ) as response:
            return [json.loads(line) for line in response.read().splitlines() if line.strip()]

    def flush(self) -> None:
        with urllib.request.urlopen(f"{self.url}/internal/force_flush", timeout=30):
            pass


def _fresh(process: ManagedProcess) -> ManagedProcess:
    """A new handle for a restart, keeping the command line and log file."""
    return ManagedProcess(process.name, process.argv, process.log_path, process.env)
