"""The README documents what the code does: every variable the services read is in a table."""

from __future__ import annotations

from pathlib import Path

from tests.support.envscan import python_files, python_reads

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# Read, but set by balena or the OS rather than by a person.
PLATFORM = {"BALENA_DEVICE_UUID", "XDG_STATE_HOME", "BLINKA_SKIP_DEPENDENCY_CHECK"}


def test_every_variable_the_services_read_is_documented() -> None:
    files = python_files(ROOT / "publisher", ROOT / "bridge", ROOT / "sensormesh" / "mqtt.py")
    read = python_reads(files) - PLATFORM
    assert "SENSORS" in read and "INFLUX_URL" in read  # the scan itself works
    undocumented = sorted(name for name in read if f"`{name}`" not in README)
    assert undocumented == []


def test_the_two_commands_exist_and_ci_calls_the_test_one() -> None:
    assert "./scripts/demo" in README and "./scripts/test" in README
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec bash scripts/test")
