"""What each compose service's process reads, and the environment it would be started with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support import envscan
from tests.support.deploy import ROOT, environment, services

# Python code each service runs (its console script's package plus the shared top-level
# modules); the shell scripts are whatever its Dockerfile copies in.
_SHARED = sorted((ROOT / "sensormesh").glob("*.py"))
PYTHON_SOURCES = {
    "publisher": [ROOT / "publisher", *_SHARED],
    "simulated-node": [ROOT / "publisher", *_SHARED],
    "bridge": [ROOT / "bridge", *_SHARED],
    "mosquitto": [ROOT / "sensormesh" / "deploy"],
}
# Grafana's own settings the compose file may set, as GF_<SECTION>_<KEY> (Grafana's
# "Configure Grafana" docs, override with environment variables).
GRAFANA_SETTINGS = {
    "GF_AUTH_ANONYMOUS_ENABLED",
    "GF_AUTH_ANONYMOUS_ORG_ROLE",
    "GF_SERVER_ROOT_URL",
    "GF_SECURITY_ADMIN_PASSWORD",
}
_COPY = re.compile(r"^COPY\s+(?:--\S+\s+)*(.+?)\s+\S+$", re.MULTILINE)


def dockerfile(service: str) -> Path:
    return ROOT / str(services()[service]["build"]["dockerfile"])


def copied_sources(service: str) -> list[Path]:
    """Repository paths the service's Dockerfile copies in (excluding other stages)."""
    sources = []
    for match in _COPY.finditer(dockerfile(service).read_text()):
        sources += [ROOT / item for item in match.group(1).split() if not item.startswith("/")]
    return sources


def shell_sources(service: str) -> list[Path]:
    return [path for path in copied_sources(service) if path.suffix == ".sh"]


def provisioning_files(service: str) -> list[Path]:
    folders = [path for path in copied_sources(service) if path.name == "provisioning"]
    return sorted(p for folder in folders for p in folder.rglob("*.yaml"))


@dataclass(frozen=True)
class Reads:
    direct: frozenset[str]
    required: frozenset[str]
    fills_from_files: bool

    def allows(self, name: str) -> bool:
        if name in self.direct:
            return True
        base = name.removesuffix("_FILE")
        return self.fills_from_files and base != name and base in self.direct


def reads(service: str) -> Reads:
    python = envscan.python_files(*PYTHON_SOURCES.get(service, []))
    shell = shell_sources(service)
    direct = envscan.python_reads(python) | envscan.shell_reads(shell)
    direct |= envscan.template_reads(provisioning_files(service))
    if service == "grafana":
        direct |= GRAFANA_SETTINGS
    return Reads(
        direct=frozenset(direct),
        required=frozenset(envscan.python_required(python)),
        fills_from_files=any(p.name == "env-from-files.sh" for p in shell),
    )


def provides(service: str, name: str) -> bool:
    """Is ``name`` set for the service, directly or through a file the wrapper reads?"""
    env = environment(service)
    if name in env or f"{name}_FILE" in env:
        return True
    return name == "MQTT_PASSWORD" and "MQTT_PASSWORD_DIR" in env


def relocated(service: str, root: Path) -> dict[str, str]:
    """The service's compose environment with /run/sensormesh moved under ``root``."""
    return {
        key: value.replace("/run/sensormesh/", f"{root}/")
        for key, value in environment(service).items()
    }
