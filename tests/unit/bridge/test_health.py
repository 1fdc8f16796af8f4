from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bridge.health import HealthReport, HealthServer


def _report(connected: bool = True, pending: int = 0, since: float | None = 1.0) -> HealthReport:
    return HealthReport(connected, pending, since, stall_timeout_s=60.0, counters={"received": 3})


def test_healthy_when_connected_and_writing() -> None:
    assert _report().problems == []
    assert _report(pending=10, since=59.0).problems == []


def test_unhealthy_when_disconnected() -> None:
    assert _report(connected=False).problems == ["not connected to the MQTT broker"]


def test_unhealthy_when_messages_wait_and_writes_stalled() -> None:
    (problem,) = _report(pending=10, since=61.0).problems
    assert "10 messages waiting" in problem
    assert _report(pending=0, since=999.0).problems == []  # idle is not stalled


@pytest.mark.parametrize(("report", "status"), [(_report(), 200), (_report(connected=False), 503)])
def test_endpoint_serves_the_verdict_as_json(report: HealthReport, status: int) -> None:
    server = HealthServer("127.0.0.1", 0, lambda: report)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                code, body = response.status, json.load(response)
        except urllib.error.HTTPError as error:
            code, body = error.code, json.load(error)
    finally:
        server.stop()
    assert code == status
    assert body["healthy"] is (status == 200) and body["received"] == 3
