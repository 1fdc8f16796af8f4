"""The README's run command works as printed: the demo's mosquitto_sub line shows readings."""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_demo_runs_the_mesh_and_stops_it_all_on_ctrl_c(tmp_path: Path) -> None:
    demo_dir = tmp_path / "demo"
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sensormesh.admin.cli",
            "demo",
            "--dir",
            str(demo_dir),
            "--interval",
            "0.5",
            "--seconds",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if line.strip().startswith("mosquitto_sub"):
                break
        watch = [*shlex.split(lines[-1]), "-C", "3", "-W", "30"]
        live = subprocess.run(watch, capture_output=True, text=True, timeout=60)
        assert live.returncode == 0, live.stderr
        topics = [line.split(" ", 1)[0] for line in live.stdout.splitlines()]
        assert len(topics) == 3
        assert all(t.startswith(("sensors/node-1/", "sensors/node-2/")) for t in topics)
        for line in demo.stdout:
            if "readings stored so far: node-" in line:
                break
        demo.send_signal(signal.SIGINT)
        rest = demo.communicate(timeout=60)[0]
        assert demo.returncode == 0, rest
        assert "stopping the mesh" in rest
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    leftovers = subprocess.run(["pgrep", "-f", str(demo_dir)], capture_output=True, text=True)
    assert leftovers.stdout == "", "demo left processes running"
