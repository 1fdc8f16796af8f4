"""One measured phase per consumer: the ceiling, bridge(s), Node-RED.

Every phase has the same shape. A persistent session is created first; then the flood
publishers fill the broker. In ``drain`` mode the consumer is offline during the flood and
the rate is how fast it empties the backlog (the publishers then take no CPU from it on
this 2-core machine); in ``live`` mode it runs while the publishers flood. Progress comes
from influxd's write counter polled every ``POLL_S`` (the ceiling times its own messages),
and :func:`rates` turns it into readings per second.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.common import (
    count_points,
    forget_session,
    last_json_line,
    points_written,
    python_module,
)
from bench.nodered import USER as NODERED_USER
from bench.nodered import NodeRed
from sensormesh.localrun.mesh import BRIDGE_USER, LocalMesh
from sensormesh.localrun.processes import ManagedProcess, wait_until

POLL_S = 0.1
LOW, HIGH = 0.1, 0.75
STALL_S = 20.0
PROBE_DEVICE = "probe"
BATCH_LINES = 5000


@dataclass(frozen=True)
class Load:
    devices: tuple[str, ...]
    per_device: int
    mode: str  # "drain" or "live"

    @property
    def total(self) -> int:
        return len(self.devices) * self.per_device


def flood(mesh: LocalMesh, load: Load, tag: str) -> dict[str, float]:
    """All publishers at once; returns their combined publish rate."""
    processes = [
        python_module(
            mesh,
            f"flood-{device}-{tag}",
            "bench.flood",
            ["--count", str(load.per_device)],
            mesh.mqtt_env(device),
        )
        for device in load.devices
    ]
    for process in processes:
        process.wait(600)
    results = [last_json_line(p) for p in processes]
    slowest = max(r["seconds"] for r in results)
    return {"published": load.total, "publish_rate": round(load.total / slowest, 1)}


def probe(mesh: LocalMesh, tag: str) -> None:
    done = python_module(
        mesh, f"probe-{tag}", "bench.flood", ["--count", "1"], mesh.mqtt_env(PROBE_DEVICE)
    )
    done.wait(60)


Mark = tuple[float, int]  # (monotonic or wall time, readings counted by then)


def watch_rate(
    count: Callable[[], int], baseline: int, total: int, timeout: float
) -> dict[str, float]:
    """Poll a stored count until ``baseline + total`` has landed, or until it stops growing
    for ``STALL_S`` (a consumer that dropped readings never gets there); see :func:`rates`.
    """
    deadline = time.monotonic() + timeout
    marks: dict[str, Mark] = {}
    last_change: Mark = (time.monotonic(), 0)
    while True:
        now, stored = time.monotonic(), count() - baseline
        if stored != last_change[1]:
            last_change = (now, stored)
        for name, fraction in (("first", 0.0), ("low", LOW), ("high", HIGH)):
            if stored > fraction * total:
                marks.setdefault(name, (now, stored))
        if stored >= total:
            marks["last"] = (now, stored)
            return {**rates(marks), "complete": 1.0}
        if now > deadline or (stored and now - last_change[0] > STALL_S):
            marks["last"] = last_change
            return {**rates(marks), "complete": 0.0}
        time.sleep(POLL_S)


def rates(marks: dict[str, Mark]) -> dict[str, float]:
    """Readings per second between two marks, each a time and the count reached by then.

    ``rate`` is the steady state, from the mark past 10 % to the one past 75 % of the
    readings: no ramp-up, and no tail (a finite backlog's last partial batch waits up to
    FLUSH_INTERVAL_S, which a continuous stream never does). ``rate_whole`` runs from
    the first reading seen to the last. A consumer that lost readings may never pass 75 %:
    its ``rate`` is then over whatever it did store.
    """

    def between(start: str, end: str) -> float:
        (t0, c0), (t1, c1) = marks[start], marks[end]
        return round((c1 - c0) / max(t1 - t0, 1e-9), 1)

    steady = ("low", "high") if "high" in marks else ("first", "last")
    return {"rate": between(*steady), "rate_whole": between("first", "last")}


def ceiling_phase(mesh: LocalMesh, load: Load, run: int, receive_max: int) -> dict[str, float]:
    client_id, group = f"ceiling-{run}", f"ceil{run}"

    def start(expect: int) -> ManagedProcess:
        args = [
            "--client-id",
            client_id,
            "--group",
            group,
            "--expect",
            str(expect),
            "--receive-maximum",
            str(receive_max),
        ]
        return python_module(
            mesh, f"{client_id}-{expect}", "bench.ceiling", args, mesh.mqtt_env(BRIDGE_USER)
        )

    if load.mode == "drain":
        start(0).wait(60)
        published = flood(mesh, load, f"c{run}")
        counter = start(load.total)
    else:
        counter = start(load.total)
        wait_until(lambda: "subscribed" in counter.log_text(), "ceiling SUBACK")
        published = flood(mesh, load, f"c{run}")
    counter.wait(600)
    result = last_json_line(counter)
    forget_session(mesh, BRIDGE_USER, client_id)
    low, high = math.floor(LOW * load.total) + 1, math.floor(HIGH * load.total) + 1
    marks = {
        "first": (result["first"], 1),
        "low": (result["low"], low),
        "high": (result["high"], high),
        "last": (result["last"], load.total),
    }
    return {**published, **rates(marks), "received": result["count"]}


@dataclass
class Consumer:
    """Something that stores readings in ``database``: one or more bridges, or Node-RED."""

    start: Callable[[], None]
    stop: Callable[[], None]
    forget: Callable[[], None]


def consumer_phase(
    mesh: LocalMesh, load: Load, database: str, consumer: Consumer, tag: str
) -> dict[str, float]:
    consumer.start()
    baseline = probe_until_stored(mesh, database, tag)
    written = points_written(mesh)  # nothing else writes during a phase

    def progress() -> int:
        return points_written(mesh) - written

    if load.mode == "drain":
        consumer.stop()
        published = flood(mesh, load, tag)
        consumer.start()
        measured = watch_rate(progress, 0, load.total, 900)
    else:
        result: dict[str, dict[str, float]] = {}
        flooding = threading.Thread(target=lambda: result.update(f=flood(mesh, load, tag)))
        flooding.start()
        measured = watch_rate(progress, 0, load.total, 900)
        flooding.join()
        published = result["f"]
    consumer.stop()
    consumer.forget()
    stored = count_points(mesh, database) - baseline
    return {**published, **measured, "stored": stored}


def probe_until_stored(mesh: LocalMesh, database: str, tag: str) -> int:
    """Proves the consumer's session and subscription exist; returns the stored count."""
    for attempt in range(20):
        probe(mesh, f"{tag}-{attempt}")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if (stored := count_points(mesh, database)) > 0:
                return stored
            time.sleep(POLL_S)
    raise TimeoutError(f"{tag}: no probe reached {database}")


def bridge_consumer(mesh: LocalMesh, database: str, run: int, bridges: int, **env: str) -> Consumer:
    group = f"br{run}x{bridges}"
    envs = [
        mesh.bridge_env(
            f"bench-{group}-{i}",
            BRIDGE_GROUP=group,
            INFLUX_BUCKET=f"{database}/autogen",
            FLUSH_INTERVAL_S="1.0",
            **env,
        )
        for i in range(bridges)
    ]
    running: list[ManagedProcess] = []

    def start() -> None:
        running[:] = [mesh.start_bridge(e) for e in envs]

    def stop() -> None:
        for process in running:
            process.stop()

    def forget() -> None:
        for e in envs:
            forget_session(mesh, BRIDGE_USER, e["BRIDGE_ID"])

    return Consumer(start, stop, forget)


def nodered_consumer(mesh: LocalMesh, database: str, run: int) -> Consumer:
    client_id = f"nodered-{run}"
    red = NodeRed(mesh, database, client_id, f"nr{run}")

    def start() -> None:
        red.start()

    return Consumer(
        start=start,
        stop=red.stop,
        forget=lambda: forget_session(mesh, NODERED_USER, client_id),
    )
