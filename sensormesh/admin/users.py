"""Broker users: Mosquitto's password-file hash and the per-user ACL blocks.

Each user gets an explicit ACL block rather than relying on a ``pattern write sensors/%u/#``
line: a pattern applies to *every* user, so a viewer could write under ``sensors/<viewer>/``
and a bridge could inject readings as ``sensors/<bridge>/``. With per-user blocks a device
writes only its own subtree, the bridge reads everything and writes dead letters, and a
viewer can only read. The role is recorded in the block's comment line, which is how this
module finds and replaces a user's block.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from enum import StrEnum
from pathlib import Path

from sensormesh.contract import DEADLETTER_TOPIC, READINGS_ROOT, validate_device_name

# Mosquitto 2.x "$7$": PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, 64-byte hash.
PBKDF2_ITERATIONS = 101
SALT_BYTES = 12
_BLOCK = re.compile(r"^# role: (\w+)\nuser (\S+)\n(?:topic [^\n]*\n)*\n?", re.MULTILINE)


class Role(StrEnum):
    DEVICE = "device"
    BRIDGE = "bridge"
    VIEWER = "viewer"


def mosquitto_hash(
    password: str, salt: bytes | None = None, iterations: int = PBKDF2_ITERATIONS
) -> str:
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_mosquitto_hash(password: str, encoded: str) -> bool:
    _, kind, iterations, salt, _digest = encoded.split("$")
    if kind != "7":
        raise ValueError("only $7$ (PBKDF2-SHA512) hashes are supported")
    expected = mosquitto_hash(password, base64.b64decode(salt), int(iterations))
    return secrets.compare_digest(expected, encoded)


def new_password() -> str:
    return secrets.token_urlsafe(24)


def acl_block(name: str, role: Role) -> str:
    rules = {
        Role.DEVICE: [f"topic write {READINGS_ROOT}/{name}/#"],
        Role.BRIDGE: [f"topic read {READINGS_ROOT}/#", f"topic write {DEADLETTER_TOPIC}"],
        Role.VIEWER: [f"topic read {READINGS_ROOT}/#", f"topic read {DEADLETTER_TOPIC}"],
    }[role]
    return f"# role: {role}\nuser {name}\n" + "".join(f"{rule}\n" for rule in rules) + "\n"


def add_user(name: str, role: Role, password: str, passwd_file: Path, acl_file: Path) -> None:
    """Create or replace ``name`` in both files. The broker needs a SIGHUP to reload them."""
    problem = validate_device_name(name)
    if problem:
        raise ValueError(problem.replace("device name", "user name"))
    if not password or ":" in password or "\n" in password:
        raise ValueError("password must be non-empty and contain no ':' or newline")
    entries = _read_passwd(passwd_file)
    entries[name] = mosquitto_hash(password)
    _write_private(passwd_file, "".join(f"{user}:{h}\n" for user, h in entries.items()))
    blocks = {
        match.group(2): match.group(0).rstrip("\n") + "\n\n"
        for match in _BLOCK.finditer(_read(acl_file))
    }
    blocks[name] = acl_block(name, role)
    header = "# Managed by `sensormesh users add`; one block per user.\n\n"
    _write_private(acl_file, header + "".join(blocks.values()))


def users_by_role(acl_file: Path) -> dict[str, Role]:
    return {match.group(2): Role(match.group(1)) for match in _BLOCK.finditer(_read(acl_file))}


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def _read_passwd(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in _read(path).splitlines():
        user, sep, hashed = line.partition(":")
        if sep:
            entries[user] = hashed
    return entries


def _write_private(path: Path, text: str) -> None:
    """Replace atomically, mode 0600 from the start: the broker never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    temporary.replace(path)
