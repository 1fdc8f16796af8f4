"""Run the repository's own ``mosquitto/mosquitto.conf`` as a local process.

Only two things are rewritten: the listener (a local port on 127.0.0.1) and the
``/mosquitto/`` path prefix used inside the container (a local folder). Everything else —
TLS, ACL, queue limits, persistence — runs exactly as it will on the collector.
"""

from __future__ import annotations

import getpass
import re
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from sensormesh.admin.certs import CertPaths, init_certs
from sensormesh.admin.users import Role, add_user, new_password
from sensormesh.localrun.processes import (
    ManagedProcess,
    free_port,
    port_open,
    start_with_free_ports,
    wait_until,
)

CONTAINER_ROOT = "/mosquitto/"


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def render_broker_config(template: str, port: int, root: Path, user: str) -> str:
    text = template.replace(CONTAINER_ROOT, f"{root}/")
    text = re.sub(r"^listener 8883$", f"listener {port} 127.0.0.1", text, flags=re.MULTILINE)
    return re.sub(r"^user \S+$", f"user {user}", text, flags=re.MULTILINE)


@dataclass(frozen=True)
class BrokerSetup:
    root: Path
    certs: CertPaths
    passwords: dict[str, str]

    @property
    def passwd_file(self) -> Path:
        return self.root / "config" / "passwd"

    @property
    def acl_file(self) -> Path:
        return self.root / "config" / "acl"


def prepare_broker(root: Path, users: dict[str, Role]) -> BrokerSetup:
    """Certificates for localhost/127.0.0.1 and a password for each user, generated fresh."""
    certs = init_certs(root / "certs", ["localhost"], ["127.0.0.1"], force=True)
    (root / "data").mkdir(parents=True, exist_ok=True)
    setup = BrokerSetup(root, certs, {})
    for name, role in users.items():
        password = new_password()
        add_user(name, role, password, setup.passwd_file, setup.acl_file)
        setup.passwords[name] = password
    return setup


class Broker:
    def __init__(self, setup: BrokerSetup, port: int | None, logs: Path) -> None:
        self.setup = setup
        self.logs = logs
        self.config_path = setup.root / "config" / "mosquitto.conf"
        self._fixed_port = port
        self._configure()
        self._started = False

    def _configure(self) -> None:
        self.port = self._fixed_port or free_port()
        template = (repo_root() / "mosquitto" / "mosquitto.conf").read_text()
        self.config_path.write_text(
            render_broker_config(template, self.port, self.setup.root, getpass.getuser())
        )
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.process = ManagedProcess(
            "mosquitto", [binary, "-c", str(self.config_path)], self.logs / "mosquitto.log"
        )

    def start(self) -> Broker:
        """Start, or restart on the same port; only the very first start may change ports."""
        if self._started or self._fixed_port:
            self._start_once()
        else:
            start_with_free_ports(self._start_once, self._configure)
        self._started = True
        return self

    def _start_once(self) -> None:
        self.process = ManagedProcess(self.process.name, self.process.argv, self.process.log_path)
        self.process.start()
        wait_until(
            lambda: port_open(self.port), f"mosquitto on port {self.port}", process=self.process
        )

    def stop(self) -> None:
        self.process.stop()

    def reload(self) -> None:
        """Re-read the password and ACL files (after ``users add``)."""
        self.process.signal(signal.SIGHUP)
