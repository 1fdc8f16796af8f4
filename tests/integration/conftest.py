"""Real servers on loopback: every test gets its own broker and InfluxDB on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sensormesh.localrun.mesh import LocalMesh

DEVICES = ["node-a", "node-b", "node-c"]


@pytest.fixture
def mesh(tmp_path: Path) -> Iterator[LocalMesh]:
    local = LocalMesh(tmp_path, DEVICES).start_servers()
    try:
        yield local
    finally:
        local.stop()
