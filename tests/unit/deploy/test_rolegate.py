"""deploy/rolegate.sh: a service runs only on the devices meant for it, and idles elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.shell import ScriptProcess, run_script

GATE = "deploy/rolegate.sh"
ECHO_ARGS = [sys.executable, "-c", "import sys; print(sys.argv[1:])", "a", "b c"]

RUNS = {
    "nothing configured (docker compose up on a laptop)": {},
    "service roles but no device role": {"RUN_ON_ROLES": "collector"},
    "device role matches": {"RUN_ON_ROLES": "collector", "DEVICE_ROLE": "collector"},
    "one of several device roles matches": {"RUN_ON_ROLES": "demo", "DEVICE_ROLE": "sensor, demo"},
    "device role, service bound to no role": {"DEVICE_ROLE": "sensor"},
    "device listed": {"RUN_ON_DEVICES": "pi-a, pi-b", "BALENA_DEVICE_NAME_AT_INIT": "pi-b"},
    "device not listed but role matches": {
        "RUN_ON_DEVICES": "pi-a",
        "BALENA_DEVICE_NAME_AT_INIT": "pi-b",
        "RUN_ON_ROLES": "collector",
        "DEVICE_ROLE": "collector",
    },
}
IDLES = {
    "device role does not match": {"RUN_ON_ROLES": "collector", "DEVICE_ROLE": "sensor"},
    "device not listed": {"RUN_ON_DEVICES": "pi-a", "BALENA_DEVICE_NAME_AT_INIT": "pi-b"},
    "device list but no balena name": {"RUN_ON_DEVICES": "pi-a"},
    "list items are not globs": {"RUN_ON_DEVICES": "pi-*", "BALENA_DEVICE_NAME_AT_INIT": "pi-b"},
    "role is matched whole": {"RUN_ON_ROLES": "collector", "DEVICE_ROLE": "collect"},
}


@pytest.mark.parametrize("env", RUNS.values(), ids=RUNS.keys())
def test_service_for_this_device_runs_its_command_with_arguments_intact(
    env: dict[str, str],
) -> None:
    done = run_script(GATE, ["mosquitto", *ECHO_ARGS], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['a', 'b c']"
    assert "starting mosquitto" in done.stderr


@pytest.fixture
def idle_gate(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ScriptProcess]:
    process = ScriptProcess(GATE, ["grafana", *ECHO_ARGS], request.param, tmp_path)
    try:
        yield process
    finally:
        process.kill()


@pytest.mark.parametrize("idle_gate", IDLES.values(), ids=IDLES.keys(), indirect=True)
def test_service_not_for_this_device_idles_until_stopped(idle_gate: ScriptProcess) -> None:
    idle_gate.wait_for_stderr("grafana is not for this device")
    assert idle_gate.popen.poll() is None, "an exiting container would be restarted by balena"
    assert idle_gate.stdout == "", "the command must not have run"
    assert idle_gate.terminate() == 0
    assert idle_gate.group_gone(), "the idle loop left a sleep behind"


def test_gate_without_a_command_is_a_usage_error() -> None:
    done = run_script(GATE, ["bridge"], {})
    assert done.returncode == 2
    assert "no command given for bridge" in done.stderr
