"""The admin CLI, run as a real process the way a person runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sensormesh.admin.users import Role, users_by_role, verify_mosquitto_hash


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sensormesh.admin.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_certs_init_writes_the_ca_and_server_files(tmp_path: Path) -> None:
    result = _run(
        "certs", "init", "--out", str(tmp_path), "--host", "collector.local", "--ip", "127.0.0.1"
    )
    assert result.returncode == 0, result.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"ca.crt", "ca.key", "server.crt", "server.key"}
    again = _run("certs", "init", "--out", str(tmp_path), "--host", "x")
    assert again.returncode == 1 and "--force" in again.stderr


def test_certs_init_needs_a_name_to_put_in_the_certificate(tmp_path: Path) -> None:
    result = _run("certs", "init", "--out", str(tmp_path))
    assert result.returncode == 1 and "--host or --ip" in result.stderr


def test_users_add_prints_a_generated_password_that_verifies(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    result = _run("users", "add", "kitchen", "--role", "device", "--passwd-file", str(passwd))
    assert result.returncode == 0, result.stderr
    password = result.stdout.strip()
    assert len(password) >= 24
    stored = passwd.read_text().strip().split(":", 1)[1]
    assert verify_mosquitto_hash(password, stored)
    assert users_by_role(tmp_path / "acl") == {"kitchen": Role.DEVICE}


def test_users_add_takes_the_password_from_stdin(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    result = _run(
        "users",
        "add",
        "grafana",
        "--role",
        "viewer",
        "--passwd-file",
        str(passwd),
        "--password-stdin",
        stdin="correct horse\n",
    )
    assert result.returncode == 0 and result.stdout == ""
    assert verify_mosquitto_hash("correct horse", passwd.read_text().strip().split(":", 1)[1])
