"""Running ``sensormesh simulate`` from a bench and reading its status lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from sensormesh.localrun.mesh import LocalMesh
from sensormesh.localrun.processes import ManagedProcess


def start_simulator(
    mesh: LocalMesh, name: str, devices: Sequence[str], rate: float, *options: str
) -> ManagedProcess:
    """A fleet of ``devices`` (mesh users), each at ``rate`` readings/s, as a child process."""
    credentials = mesh.root / f"{name}.creds"
    credentials.write_text("".join(f"{d}:{mesh.password(d)}\n" for d in devices))
    argv = [
        sys.executable, "-m", "sensormesh.simulate", "--nodes", str(len(devices)),
        "--rate", str(rate), "--port", str(mesh.broker.port),
        "--ca-cert", str(mesh.broker_setup.certs.ca_cert), "--credentials", str(credentials),
        *options,
    ]  # fmt: skip
    process = ManagedProcess(name, argv, mesh.logs / f"{name}.log").start()
    mesh.processes.append(process)
    return process


def simulator_status(process: ManagedProcess) -> dict[str, Any]:
    """The simulator's latest JSON status line (zeros before the first one)."""
    lines = [line for line in process.log_text().splitlines() if line.startswith("{")]
    if not lines:
        return {"connected": 0, "connects": 0, "generated": 0, "acked": 0}
    status: dict[str, Any] = json.loads(lines[-1])
    return status
