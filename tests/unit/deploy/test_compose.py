"""docker-compose.yml and balena.yml: parsed as balena parses them, consistent with the code."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sensormesh.deploy.firstboot import main as firstboot
from tests.support.composeenv import dockerfile, provides, reads, relocated
from tests.support.deploy import COMPOSE_FILE, ROOT, compose, environment, load_yaml, node_json
from tests.support.deploy import services as compose_services
from tests.support.shell import ScriptProcess, script_env

SERVICES = {"mosquitto", "influxdb", "grafana", "bridge", "publisher", "simulated-node"}
ROLES = {
    "collector": {"mosquitto", "influxdb", "grafana", "bridge", "publisher"},
    "sensor": {"publisher"},
    "demo": {"simulated-node"},
    "": SERVICES,  # DEVICE_ROLE unset: `docker compose up` on one host runs everything
}


def balena_parse(path: Path) -> dict[str, Any]:
    parsed: dict[str, Any] = node_json("balena_compose.cjs", str(path))
    return parsed


def test_balena_parser_accepts_the_compose_file_with_every_service() -> None:
    parsed = balena_parse(COMPOSE_FILE)
    assert "error" not in parsed, parsed.get("error")
    assert set(parsed["composition"]["services"]) == SERVICES
    assert {image["serviceName"] for image in parsed["images"]} == SERVICES


def test_balena_parser_rejects_what_balena_rejects(tmp_path: Path) -> None:
    """The check bites: a bind mount, which balena refuses, fails the same parser."""
    broken = copy.deepcopy(compose())
    broken["services"]["grafana"]["volumes"].append("./grafana:/etc/grafana/provisioning")
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    assert "Bind mounts are not allowed" in balena_parse(path).get("error", "")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_builds_from_the_repository_root_with_its_dockerfile(service: str) -> None:
    build = compose_services()[service]["build"]
    assert build["context"] == "."
    assert dockerfile(service).is_file()
    assert "/usr/local/bin/sensormesh-rolegate" in dockerfile(service).read_text()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_variable_the_compose_file_sets_is_one_the_service_reads(service: str) -> None:
    service_reads = reads(service)
    unread = sorted(name for name in environment(service) if not service_reads.allows(name))
    assert not unread, f"{service} sets variables nothing in its image reads: {unread}"


@pytest.mark.parametrize("service", ["publisher", "simulated-node", "bridge"])
def test_every_required_variable_is_provided(service: str) -> None:
    required = reads(service).required
    assert required, "the scan found no required variable: the scanner is broken"
    missing = sorted(name for name in required if not provides(service, name))
    assert not missing, f"{service} lacks required {missing}"


@pytest.mark.parametrize("role", sorted(ROLES), ids=lambda r: r or "unset")
def test_device_role_selects_the_services_of_that_role(role: str, tmp_path: Path) -> None:
    started = set()
    for service in SERVICES:
        env = {**environment(service), **({"DEVICE_ROLE": role} if role else {})}
        gate = ScriptProcess("deploy/rolegate.sh", [service, "true"], env, tmp_path)
        try:
            gate.wait_for_stderr("sensormesh-rolegate:")
            started |= {service} if f"starting {service}" in gate.stderr else set()
        finally:
            gate.kill()
    assert started == ROLES[role]


def test_ca_private_key_volume_is_mounted_by_the_broker_alone() -> None:
    mounting = {
        name
        for name, service in compose_services().items()
        for volume in service.get("volumes", [])
        if volume.split(":")[0] == "mosquitto-certs"
    }
    assert mounting == {"mosquitto"}


def test_only_the_broker_and_grafana_are_reachable_from_the_network() -> None:
    published = {name: s["ports"] for name, s in compose_services().items() if "ports" in s}
    assert published == {"mosquitto": ["8883:8883"], "grafana": ["3000:3000"]}


@pytest.fixture
def collector_files(tmp_path: Path) -> Path:
    """What first boot on a single host leaves in /run/sensormesh, made by the real code."""
    run = tmp_path / "run"
    mqtt_env = environment("mosquitto")
    argv = ["--certs-dir", str(tmp_path / "certs"), "--config-dir", str(tmp_path / "config")]
    assert firstboot([*argv, "--shared-dir", str(run / "mqtt")], mqtt_env) == 0
    (run / "influx").mkdir()
    for name in ("bridge", "grafana"):
        (run / "influx" / f"{name}.token").write_text(f"token-of-{name}")
    return run


LOAD_CONFIG = """
import hashlib, json, os, sys
from {module} import {loader} as load
config = load(os.environ)
print(json.dumps({{"user": config.mqtt.username,
                  "password": hashlib.sha256(config.mqtt.password.encode()).hexdigest(),
                  "token": getattr(getattr(config, "influx", None), "token", None)}}))
"""
LOADERS = {
    "publisher": ("publisher.config", "load_publisher_config"),
    "simulated-node": ("publisher.config", "load_publisher_config"),
    "bridge": ("bridge.config", "load_bridge_config"),
}


@pytest.mark.parametrize("service", sorted(LOADERS))
def test_service_starts_on_a_single_host_with_the_credentials_first_boot_made(
    service: str, collector_files: Path
) -> None:
    """The compose environment, through the real wrapper, satisfies the real config loader.

    Runs in a fresh UTS namespace with the compose ``hostname``, as the container would.
    """
    module, loader = LOADERS[service]
    hostname = compose_services()[service].get("hostname", "sensormesh-test")
    command = [sys.executable, "-c", LOAD_CONFIG.format(module=module, loader=loader)]
    env = script_env({**relocated(service, collector_files), "PYTHONPATH": str(ROOT)})
    in_container = ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', hostname]
    wrapper = ["sh", str(ROOT / "deploy" / "env-from-files.sh")]
    done = subprocess.run(
        [*in_container, *wrapper, *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    password_file = collector_files / "mqtt" / "passwords" / seen["user"]
    assert seen["password"] == hashlib.sha256(password_file.read_bytes()).hexdigest()
    if service == "bridge":
        assert seen["token"] == "token-of-bridge"


def test_balena_yml_describes_the_fleet() -> None:
    balena = load_yaml(ROOT / "balena.yml")
    assert balena["type"] == "sw.application"
    assert balena["name"] and balena["description"]
    data = balena["data"]
    wanted = {"raspberrypi3", "raspberrypi3-64", "raspberrypi4-64", "generic-amd64"}
    assert wanted <= set(data["supportedDeviceTypes"])
    assert data["defaultDeviceType"] in data["supportedDeviceTypes"]


def test_balena_yml_default_variables_are_read_by_some_service() -> None:
    data = load_yaml(ROOT / "balena.yml")["data"]
    names = {name for item in data["applicationEnvironmentVariables"] for name in item}
    read_somewhere = set().union(*(reads(service).direct for service in SERVICES))
    assert names - read_somewhere == set()
    config = {k: v for item in data["applicationConfigVariables"] for k, v in item.items()}
    assert '"i2c_arm=on"' in config["BALENA_HOST_CONFIG_dtparam"]
