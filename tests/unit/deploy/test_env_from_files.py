"""deploy/env-from-files.sh: secrets written by the collector's first boot reach the services."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.support.shell import ScriptProcess, run_script

SCRIPT = "deploy/env-from-files.sh"
SHOW_ENV = [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"]


def child_env(env: dict[str, str]) -> dict[str, str]:
    done = run_script(SCRIPT, SHOW_ENV, env)
    assert done.returncode == 0, done.stderr
    seen: dict[str, str] = json.loads(done.stdout)
    return seen


def test_file_variable_becomes_the_variable_without_trailing_newline(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("s3cret-token\n")
    seen = child_env({"INFLUX_TOKEN_FILE": str(tmp_path / "token")})
    assert seen["INFLUX_TOKEN"] == "s3cret-token"
    assert "INFLUX_TOKEN_FILE" not in seen


def test_variable_set_directly_wins_and_its_file_is_not_waited_for(tmp_path: Path) -> None:
    seen = child_env(
        {"MQTT_PASSWORD": "from-balena", "MQTT_PASSWORD_FILE": str(tmp_path / "never-written")}
    )
    assert seen["MQTT_PASSWORD"] == "from-balena"


def test_grafana_double_underscore_file_variables_are_left_to_grafana(tmp_path: Path) -> None:
    seen = child_env({"GF_SECURITY_ADMIN_PASSWORD__FILE": str(tmp_path / "absent")})
    assert seen["GF_SECURITY_ADMIN_PASSWORD__FILE"] == str(tmp_path / "absent")


def env_after_file_appears(env: dict[str, str], path: Path, content: str) -> dict[str, str]:
    """Start the wrapper before ``path`` exists, see it wait, write the file, get the env."""
    process = ScriptProcess(SCRIPT, SHOW_ENV, env, path.parent)
    try:
        process.wait_for_stderr(f"waiting for {path}")
        path.write_text(content)
        assert process.popen.wait(10) == 0
        seen: dict[str, str] = json.loads(process.stdout)
        return seen
    finally:
        process.kill()


def test_waits_for_a_file_written_later_then_runs(tmp_path: Path) -> None:
    token = tmp_path / "bridge.token"
    seen = env_after_file_appears({"INFLUX_TOKEN_FILE": str(token)}, token, "by-influxdb")
    assert seen["INFLUX_TOKEN"] == "by-influxdb"


def test_password_dir_is_looked_up_by_the_name_the_publisher_will_use(tmp_path: Path) -> None:
    for name in ("explicit-user", "node-7", "balena-name"):
        (tmp_path / name).write_text(f"password-of-{name}")
    base = {"MQTT_PASSWORD_DIR": str(tmp_path), "BALENA_DEVICE_NAME_AT_INIT": "balena-name"}
    assert child_env(base)["MQTT_PASSWORD"] == "password-of-balena-name"
    with_device = {**base, "DEVICE_NAME": "node-7"}
    assert child_env(with_device)["MQTT_PASSWORD"] == "password-of-node-7"
    with_user = {**with_device, "MQTT_USERNAME": "explicit-user"}
    assert child_env(with_user)["MQTT_PASSWORD"] == "password-of-explicit-user"
    assert "MQTT_PASSWORD_DIR" not in child_env(base)


def test_ca_path_is_waited_for_but_inline_pem_is_not(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    seen = env_after_file_appears({"MQTT_CA_CERT": str(ca)}, ca, "-----BEGIN CERTIFICATE-----")
    assert seen["MQTT_CA_CERT"] == str(ca)
    inline = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    assert child_env({"MQTT_CA_CERT": inline})["MQTT_CA_CERT"] == inline
