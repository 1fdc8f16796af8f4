"""What the bridge says about itself: counters, its metrics point, its health verdict."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from bridge.health import HealthReport
from bridge.lineprotocol import escape_tag_value, format_float

METRICS_MEASUREMENT = "sensormesh_bridge"


@dataclass
class BridgeCounters:
    """Cumulative since start; Grafana turns them into rates with non_negative_derivative."""

    received: int = 0
    written: int = 0
    deadlettered: int = 0
    acked: int = 0
    write_latency_ms: float = 0.0
    last_write_monotonic: float | None = None

    def record_write(self, lines: int, started: float) -> None:
        now = time.monotonic()
        self.written += lines
        self.write_latency_ms = (now - started) * 1000
        self.last_write_monotonic = now


def metrics_line(bridge_id: str, counters: BridgeCounters, backlog: int, ts_ns: int) -> str:
    fields = (
        f"received={counters.received}i,written={counters.written}i,"
        f"deadlettered={counters.deadlettered}i,backlog={backlog}i,"
        f"write_latency_ms={format_float(counters.write_latency_ms)}"
    )
    return f"{METRICS_MEASUREMENT},bridge={escape_tag_value(bridge_id)} {fields} {ts_ns}"


def health_report(
    counters: BridgeCounters, connected: bool, pending: int, stall_timeout_s: float, started: float
) -> HealthReport:
    # Before the first write, measure the stall from start-up, not from "never".
    last = counters.last_write_monotonic or started
    counts = {k: v for k, v in asdict(counters).items() if k != "last_write_monotonic"}
    return HealthReport(connected, pending, time.monotonic() - last, stall_timeout_s, counts)
