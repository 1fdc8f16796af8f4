"""Child processes started by the local mesh and the tests, always stopped by PID.

Readiness is checked by asking the service (a TCP connect, an HTTP ping), never by sleeping
for a fixed time and hoping.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

READY_TIMEOUT_S = 30.0
POLL_S = 0.05


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ManagedProcess:
    """A child in its own process group, with its output in a log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.running():
            os.kill(self.pid, signum)

    def wait(self, timeout: float) -> int:
        assert self.popen is not None
        return self.popen.wait(timeout)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited within ``timeout``."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.popen.wait()

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_until(
    check: Callable[[], bool],
    what: str,
    timeout: float = READY_TIMEOUT_S,
    process: ManagedProcess | None = None,
) -> None:
    """Poll ``check`` until it is true; fail fast if the process behind it died."""
    deadline = time.monotonic() + timeout
    while not check():
        if process is not None and not process.running():
            raise RuntimeError(
                f"{process.name} exited while waiting for {what}:\n{process.log_text()[-3000:]}"
            )
        if time.monotonic() > deadline:
            tail = process.log_text()[-3000:] if process else ""
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}\n{tail}")
        time.sleep(POLL_S)


def start_with_free_ports(
    start: Callable[[], None], pick_new_ports: Callable[[], None], attempts: int = 4
) -> None:
    """Start a server on ports picked by ``free_port``, picking again if one got taken.

    Between ``free_port`` releasing a port and the server binding it, another process (a
    parallel test, a benchmark) can grab it; the server then dies with "address already in
    use". That is a race of the harness, not a failure of the server, so try new ports.
    """
    for attempt in range(attempts):
        try:
            start()
            return
        except RuntimeError as error:
            if "already in use" not in str(error).lower() or attempt == attempts - 1:
                raise
            pick_new_ports()


def port_open(port: int, host: str = "127.0.0.1") -> bool:

    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError):
        return False
