"""First boot of the collector's broker: CA, server certificate and users, created once.

Runs in the mosquitto container before the broker, on every start, and replaces nothing that
exists, so a restart never invalidates what the nodes hold. The CA key stays in the broker's
own certificate volume. What the other services on the collector need (the CA certificate and
their passwords) goes to a shared volume; on a sensor node the broker never runs, so that
volume stays empty there and the node gets its CA and password from balena variables.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from sensormesh.admin.certs import CertPaths, cert_paths, init_certs
from sensormesh.admin.users import Role, add_user, new_password, users_by_role
from sensormesh.contract import validate_device_name
from sensormesh.envconfig import ConfigError, EnvReader, exit_with_problems
from sensormesh.logsetup import setup_logging

log = logging.getLogger("sensormesh.firstboot")

PROGRAM = "sensormesh-firstboot"
BASE_HOSTNAMES = ("mosquitto", "localhost")
BASE_IPS = ("127.0.0.1",)
SERVICE_USERS = {"bridge": Role.BRIDGE, "viewer": Role.VIEWER}
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*\.?")


@dataclass(frozen=True)
class BrokerDirs:
    certs: Path  # CA key and server key: mounted by the broker only
    config: Path  # Mosquitto's passwd and acl
    shared: Path  # ca.crt and passwords/<user>, mounted by the collector's other services

    @property
    def certificates(self) -> CertPaths:
        return cert_paths(self.certs)

    @property
    def passwd_file(self) -> Path:
        return self.config / "passwd"

    @property
    def acl_file(self) -> Path:
        return self.config / "acl"

    def password_file(self, user: str) -> Path:
        return self.shared / "passwords" / user


@dataclass(frozen=True)
class FirstBootConfig:
    hostnames: tuple[str, ...]
    ips: tuple[str, ...]
    users: Mapping[str, Role]
    cert_days: int


def load_firstboot_config(env: Mapping[str, str]) -> FirstBootConfig:
    reader = EnvReader(env)
    hostnames, ips = list(BASE_HOSTNAMES), list(BASE_IPS)
    uuid = reader.optional("BALENA_DEVICE_UUID")
    if uuid:
        hostnames.append(f"{uuid[:7]}.local")  # balenaOS announces <short uuid>.local
    for item in _items(reader.text("MQTT_HOSTNAMES", "")):
        if _is_ip(item):
            ips.append(item)
        elif _HOSTNAME.fullmatch(item):
            hostnames.append(item)
        else:
            reader.problems.append(f"MQTT_HOSTNAMES: {item!r} is neither a host name nor an IP")
    users = dict(SERVICE_USERS)
    own_name = reader.optional("BALENA_DEVICE_NAME_AT_INIT")
    for device in [*_items(reader.text("MQTT_DEVICES", "")), *([own_name] if own_name else [])]:
        problem = validate_device_name(device)
        if problem:
            reader.problems.append(f"MQTT_DEVICES: {problem}")
        elif device in SERVICE_USERS:
            reader.problems.append(f"MQTT_DEVICES: {device!r} is reserved for a service")
        else:
            users[device] = Role.DEVICE
    config = FirstBootConfig(
        hostnames=tuple(dict.fromkeys(hostnames)),
        ips=tuple(dict.fromkeys(ips)),
        users=users,
        cert_days=reader.integer("MQTT_CERT_DAYS", 3650, 1, 36500),
    )
    reader.raise_if_problems()
    return config


def _items(text: str) -> list[str]:
    return [item for item in re.split(r"[,\s]+", text) if item]


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ensure_certificates(config: FirstBootConfig, dirs: BrokerDirs, rotate: bool) -> None:
    paths = dirs.certificates
    if rotate or not paths.ca_cert.exists():
        init_certs(dirs.certs, list(config.hostnames), list(config.ips), config.cert_days, True)
        log.info(
            "%s CA and broker certificate for %s%s",
            "rotated" if rotate else "created",
            ", ".join([*config.hostnames, *config.ips]),
            "; give every sensor node the new CA (MQTT_CA_CERT)" if rotate else "",
        )
    else:
        wanted = set(config.hostnames) | set(config.ips)
        missing = sorted(wanted - certificate_names(paths))
        if missing:
            log.warning(
                "broker certificate does not cover %s: nodes dialling those names will fail "
                "hostname verification; rotate with `python3 -m sensormesh.deploy.firstboot "
                "--rotate-certs` (see docs/deploy.md)",
                ", ".join(missing),
            )
    _copy_public(paths.ca_cert, dirs.shared / "ca.crt")


def certificate_names(paths: CertPaths) -> set[str]:
    """DNS names and IP addresses in the server certificate's subjectAltName."""
    cert = x509.load_pem_x509_certificate(paths.server_cert.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = set(sans.get_values_for_type(x509.DNSName))
    return names | {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}


def ensure_users(config: FirstBootConfig, dirs: BrokerDirs, rotate: Sequence[str]) -> None:
    """Create each missing user; a user whose shared password file is gone gets a new one."""
    known = users_by_role(dirs.acl_file) if dirs.acl_file.exists() else {}
    for user, role in config.users.items():
        password_file = dirs.password_file(user)
        if known.get(user) == role and password_file.is_file() and user not in rotate:
            continue
        password = new_password()
        add_user(user, role, password, dirs.passwd_file, dirs.acl_file)
        _write_public(password_file, password)
        log.info(
            "broker user %s (%s) %s; its password is in %s",
            user,
            role,
            "created" if user not in known else "given a new password",
            password_file,
        )
    unknown = sorted(set(rotate) - set(config.users))
    if unknown:
        log.warning("cannot rotate %s: not in MQTT_DEVICES", ", ".join(unknown))


def _copy_public(source: Path, target: Path) -> None:
    _write_public(target, source.read_text())


def _write_public(path: Path, text: str) -> None:
    """Replace atomically, readable by the collector's services (uids differ per image)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.chmod(0o644)
    temporary.replace(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument("--certs-dir", type=Path, default=Path("/mosquitto/certs"))
    parser.add_argument("--config-dir", type=Path, default=Path("/mosquitto/config"))
    parser.add_argument("--shared-dir", type=Path, default=Path("/run/sensormesh/mqtt"))
    parser.add_argument("--rotate-certs", action="store_true", help="new CA and broker certificate")
    parser.add_argument(
        "--rotate-password", action="append", default=[], metavar="USER", help="repeatable"
    )
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_firstboot_config(os.environ if env is None else env)
    except ConfigError as error:
        exit_with_problems(PROGRAM, error)
    setup_logging("INFO")
    dirs = BrokerDirs(args.certs_dir, args.config_dir, args.shared_dir)
    ensure_certificates(config, dirs, args.rotate_certs)
    ensure_users(config, dirs, args.rotate_password)
    return 0


if __name__ == "__main__":
    sys.exit(main())
