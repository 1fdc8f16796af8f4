"""sensormesh.deploy.firstboot: the collector's broker credentials, made once and kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensormesh.admin.users import Role, users_by_role, verify_mosquitto_hash
from sensormesh.deploy.firstboot import BrokerDirs, certificate_names, main

COLLECTOR_ENV = {
    "BALENA_DEVICE_UUID": "1a2b3c4d5e6f7a8b9c0d",
    "BALENA_DEVICE_NAME_AT_INIT": "collector-pi",
    "MQTT_DEVICES": "node-2, node-3",
    "MQTT_HOSTNAMES": "collector.lan,192.168.1.20",
}


@pytest.fixture
def dirs(tmp_path: Path) -> BrokerDirs:
    return BrokerDirs(tmp_path / "certs", tmp_path / "config", tmp_path / "shared")


def boot(dirs: BrokerDirs, env: dict[str, str], *extra: str) -> int:
    argv = ["--certs-dir", str(dirs.certs), "--config-dir", str(dirs.config)]
    return main([*argv, "--shared-dir", str(dirs.shared), *extra], env)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def password_matches(dirs: BrokerDirs, user: str) -> bool:
    hashes = dict(line.split(":", 1) for line in dirs.passwd_file.read_text().splitlines())
    return verify_mosquitto_hash(dirs.password_file(user).read_text(), hashes[user])


def test_first_boot_covers_every_name_nodes_dial(dirs: BrokerDirs) -> None:
    assert boot(dirs, COLLECTOR_ENV) == 0
    names = certificate_names(dirs.certificates)
    assert {"mosquitto", "localhost", "1a2b3c4.local", "collector.lan"} <= names
    assert {"127.0.0.1", "192.168.1.20"} <= names


def test_first_boot_creates_service_users_listed_devices_and_the_collector_itself(
    dirs: BrokerDirs,
) -> None:
    boot(dirs, COLLECTOR_ENV)
    assert users_by_role(dirs.acl_file) == {
        "bridge": Role.BRIDGE,
        "viewer": Role.VIEWER,
        "node-2": Role.DEVICE,
        "node-3": Role.DEVICE,
        "collector-pi": Role.DEVICE,
    }
    for user in ("bridge", "viewer", "node-2", "node-3", "collector-pi"):
        assert password_matches(dirs, user), user


def test_shared_volume_gets_the_ca_certificate_and_never_a_private_key(dirs: BrokerDirs) -> None:
    boot(dirs, COLLECTOR_ENV)
    assert (dirs.shared / "ca.crt").read_bytes() == dirs.certificates.ca_cert.read_bytes()
    for path in dirs.shared.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path
    assert dirs.certificates.ca_key.stat().st_mode & 0o077 == 0


def test_a_restart_changes_nothing(dirs: BrokerDirs, tmp_path: Path) -> None:
    boot(dirs, COLLECTOR_ENV)
    before = snapshot(tmp_path)
    boot(dirs, COLLECTOR_ENV)
    assert snapshot(tmp_path) == before


def test_a_newly_listed_device_gets_a_user_and_the_others_keep_theirs(dirs: BrokerDirs) -> None:
    boot(dirs, COLLECTOR_ENV)
    ca_before = dirs.certificates.ca_cert.read_bytes()
    old_password = dirs.password_file("node-2").read_text()
    boot(dirs, {**COLLECTOR_ENV, "MQTT_DEVICES": "node-2,node-3,node-4"})
    assert users_by_role(dirs.acl_file)["node-4"] == Role.DEVICE
    assert password_matches(dirs, "node-4")
    assert dirs.password_file("node-2").read_text() == old_password
    assert password_matches(dirs, "node-2")
    assert dirs.certificates.ca_cert.read_bytes() == ca_before


def test_a_lost_password_file_is_replaced_by_a_new_working_password(dirs: BrokerDirs) -> None:
    boot(dirs, COLLECTOR_ENV)
    lost = dirs.password_file("bridge")
    old = lost.read_text()
    lost.unlink()
    boot(dirs, COLLECTOR_ENV)
    assert lost.read_text() != old
    assert password_matches(dirs, "bridge")


def test_rotating_a_password_changes_only_that_user(dirs: BrokerDirs) -> None:
    boot(dirs, COLLECTOR_ENV)
    node2, node3 = (dirs.password_file(u).read_text() for u in ("node-2", "node-3"))
    boot(dirs, COLLECTOR_ENV, "--rotate-password", "node-2")
    assert dirs.password_file("node-2").read_text() != node2
    assert password_matches(dirs, "node-2")
    assert dirs.password_file("node-3").read_text() == node3


def test_rotating_certificates_makes_a_new_ca_and_shares_it(dirs: BrokerDirs) -> None:
    boot(dirs, COLLECTOR_ENV)
    old_ca = dirs.certificates.ca_cert.read_bytes()
    boot(dirs, COLLECTOR_ENV, "--rotate-certs")
    new_ca = dirs.certificates.ca_cert.read_bytes()
    assert new_ca != old_ca
    assert (dirs.shared / "ca.crt").read_bytes() == new_ca


def test_a_name_missing_from_the_certificate_is_reported_not_silently_reissued(
    dirs: BrokerDirs, capsys: pytest.CaptureFixture[str]
) -> None:
    boot(dirs, COLLECTOR_ENV)
    ca_before = dirs.certificates.ca_cert.read_bytes()
    capsys.readouterr()
    boot(dirs, {**COLLECTOR_ENV, "MQTT_HOSTNAMES": "collector.lan,192.168.1.20,10.0.0.9"})
    warning = capsys.readouterr().err  # the process's own log: one line on stderr
    assert "WARNING" in warning
    assert "does not cover 10.0.0.9" in warning
    assert "--rotate-certs" in warning
    assert dirs.certificates.ca_cert.read_bytes() == ca_before


def test_bad_configuration_lists_every_problem_and_exits_2(
    dirs: BrokerDirs, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"MQTT_HOSTNAMES": "good.lan,bad_name!", "MQTT_DEVICES": "node-2,no/slash,bridge"}
    with pytest.raises(SystemExit) as exited:
        boot(dirs, env)
    assert exited.value.code == 2
    problems = capsys.readouterr().err.splitlines()
    assert len(problems) == 3, problems
    assert "'bad_name!'" in problems[0]
    assert "'no/slash'" in problems[1]
    assert "'bridge' is reserved" in problems[2]
    assert not dirs.certs.exists(), "nothing is created from a bad configuration"
