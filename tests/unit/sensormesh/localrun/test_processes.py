from __future__ import annotations

import pytest

from sensormesh.localrun.processes import start_with_free_ports


def test_a_port_taken_by_someone_else_means_new_ports_and_another_try() -> None:
    attempts: list[str] = []

    def start() -> None:
        attempts.append("start")
        if attempts.count("start") < 3:
            raise RuntimeError("influxd exited while waiting: bind: address already in use")

    start_with_free_ports(start, lambda: attempts.append("repick"))
    assert attempts == ["start", "repick", "start", "repick", "start"]


def test_other_failures_are_not_retried() -> None:
    def start() -> None:
        raise RuntimeError("influxd exited: permission denied")

    with pytest.raises(RuntimeError, match="permission denied"):
        start_with_free_ports(start, lambda: pytest.fail("must not pick new ports"))
