"""Running the containers' entrypoint scripts as real processes, without containers."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.deploy import ROOT

WAIT_S = 10.0


def script_env(extra: Mapping[str, str]) -> dict[str, str]:
    """A clean environment: only PATH and what the test gives, as in a container."""
    return {"PATH": os.environ["PATH"], **extra}


class ScriptProcess:
    """A script started in its own process group, stderr captured to a file."""

    def __init__(self, script: str, args: Sequence[str], env: Mapping[str, str], tmp: Path):
        self.stderr_path = tmp / f"{Path(script).name}.stderr"
        self.stdout_path = tmp / f"{Path(script).name}.stdout"
        with self.stderr_path.open("w") as err, self.stdout_path.open("w") as out:
            self.popen = subprocess.Popen(
                ["sh", str(ROOT / script), *args],
                env=script_env(env),
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    def wait_for_stderr(self, text: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while text not in self.stderr:
            assert self.popen.poll() is None, f"exited early: {self.stderr}"
            assert time.monotonic() < deadline, f"never said {text!r}: {self.stderr}"
            time.sleep(0.02)

    def terminate(self) -> int:
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(WAIT_S)

    def group_alive(self) -> bool:
        try:
            os.killpg(self.popen.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def group_gone(self) -> bool:
        """True once every process of the group has exited (and been reaped by init)."""
        deadline = time.monotonic() + WAIT_S
        while self.group_alive():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def kill(self) -> None:
        if self.group_alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()


def run_script(
    script: str, args: Sequence[str], env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(ROOT / script), *args],
        env=script_env(env),
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )
