from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sensormesh.admin.users import (
    Role,
    add_user,
    mosquitto_hash,
    users_by_role,
    verify_mosquitto_hash,
)


def test_hash_verifies_against_a_hash_made_by_mosquitto_passwd(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "node", "hunter2"], check=True)
    made_by_mosquitto = passwd.read_text().strip().split(":", 1)[1]
    assert verify_mosquitto_hash("hunter2", made_by_mosquitto)
    assert not verify_mosquitto_hash("hunter3", made_by_mosquitto)


def test_hash_uses_mosquitto_2_format() -> None:
    kind, iterations, salt, digest = mosquitto_hash("pw").split("$")[1:]
    assert (kind, iterations, len(salt), len(digest)) == ("7", "101", 16, 88)


def test_users_get_one_acl_block_each_replaced_not_duplicated(tmp_path: Path) -> None:
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    add_user("kitchen", Role.DEVICE, "a", passwd, acl)
    add_user("bridge", Role.BRIDGE, "b", passwd, acl)
    add_user("kitchen", Role.VIEWER, "c", passwd, acl)
    assert users_by_role(acl) == {"kitchen": Role.VIEWER, "bridge": Role.BRIDGE}
    assert verify_mosquitto_hash(
        "c", dict(line.split(":", 1) for line in passwd.read_text().splitlines())["kitchen"]
    )
    assert "topic write sensors/kitchen/#" not in acl.read_text()
    assert oct(passwd.stat().st_mode & 0o777) == "0o600"


def test_device_may_write_only_its_own_subtree(tmp_path: Path) -> None:
    add_user("kitchen", Role.DEVICE, "a", tmp_path / "passwd", tmp_path / "acl")
    rules = [
        line for line in (tmp_path / "acl").read_text().splitlines() if line.startswith("topic")
    ]
    assert rules == ["topic write sensors/kitchen/#"]


@pytest.mark.parametrize(("name", "password"), [("a/b", "x"), ("ok", ""), ("ok", "a:b")])
def test_unsafe_names_and_passwords_are_refused(tmp_path: Path, name: str, password: str) -> None:
    with pytest.raises(ValueError):
        add_user(name, Role.DEVICE, password, tmp_path / "passwd", tmp_path / "acl")
