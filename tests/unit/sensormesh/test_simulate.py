"""The simulator's plan: credentials in, users provisioned, the fleet split over workers."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sensormesh.admin.users import Role, users_by_role, verify_mosquitto_hash
from sensormesh.mqtt import MqttSettings
from sensormesh.simulate import FleetPlan, provision, read_credentials


def test_credentials_skip_comments_and_blank_lines_and_keep_the_first_n(tmp_path: Path) -> None:
    path = tmp_path / "fleet.creds"
    path.write_text("# fleet\n\nsim-1:pw1\nsim-2:p:w2\nsim-3:pw3\n")
    assert read_credentials(path, 2) == [("sim-1", "pw1"), ("sim-2", "p:w2")]


@pytest.mark.parametrize("line", ["sim-1", "sim-1:", ":pw"])
def test_a_credentials_line_without_name_and_password_is_refused(tmp_path: Path, line: str) -> None:
    path = tmp_path / "fleet.creds"
    path.write_text(f"{line}\n")
    with pytest.raises(ValueError, match=r"fleet.creds:1: expected name:password"):
        read_credentials(path, 1)


def test_asking_for_more_nodes_than_users_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fleet.creds"
    path.write_text("sim-1:pw\n")
    with pytest.raises(ValueError, match="has 1 users, --nodes asks for 2"):
        read_credentials(path, 2)


def test_provision_creates_device_users_whose_passwords_are_in_the_private_file(
    tmp_path: Path,
) -> None:
    passwd, acl, creds = tmp_path / "passwd", tmp_path / "acl", tmp_path / "fleet.creds"
    names = provision(3, "sim", passwd, acl, creds)

    assert names == ["sim-0001", "sim-0002", "sim-0003"]
    assert users_by_role(acl) == dict.fromkeys(names, Role.DEVICE)
    hashes = dict(line.split(":", 1) for line in passwd.read_text().splitlines())
    for name, password in read_credentials(creds, 3):
        assert verify_mosquitto_hash(password, hashes[name])
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600


def test_provision_never_overwrites_existing_credentials(tmp_path: Path) -> None:
    creds = tmp_path / "fleet.creds"
    creds.write_text("keep:me\n")
    with pytest.raises(FileExistsError):
        provision(1, "sim", tmp_path / "passwd", tmp_path / "acl", creds)
    assert creds.read_text() == "keep:me\n"


def test_the_fleet_is_split_evenly_over_workers_with_every_node_once() -> None:
    settings = tuple(
        MqttSettings("localhost", 8883, f"sim-{i}", "pw", "not-used-by-the-plan") for i in range(10)
    )
    shares = FleetPlan(settings, 1.0, 0.0, 3, 10.0).shares()
    assert sorted(len(share) for share in shares) == [3, 3, 4]
    assert sorted(s.username for share in shares for s in share) == sorted(
        s.username for s in settings
    )
