"""``sensormesh simulate``: a fleet of simulated nodes, for sizing a collector.

    sensormesh simulate --nodes 1000 --rate 1 --seconds 300 \\
        --host collector.local --ca-cert ca.crt --credentials fleet.creds

Every node is its own TLS connection with its own broker user, exactly as real nodes are,
so the broker pays the same per-connection costs (handshakes, ACL checks, sessions). Users
come from a credentials file of ``name:password`` lines; ``--provision`` creates them
(``<prefix>-0001`` …) in a Mosquitto password file and ACL and writes that file, once.
The fleet is spread over a few worker processes (TLS is CPU-bound; one selector each).
A JSON line with totals is printed every second (``--report-s``), and a final one: a
run only ends after every reading was acknowledged by the broker (or ``--drain-s`` ran out).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import multiprocessing
import os
import queue
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from multiprocessing.synchronize import Event
from pathlib import Path
from types import FrameType
from typing import Any

from sensormesh.admin.users import Role, add_user, new_password
from sensormesh.mqtt import MqttSettings

NODES_PER_WORKER = 250


@dataclass(frozen=True)
class FleetPlan:
    settings: tuple[MqttSettings, ...]
    rate: float
    seconds: float
    workers: int
    drain_s: float
    report_s: float = 1.0

    def shares(self) -> list[list[MqttSettings]]:
        return [list(self.settings[i :: self.workers]) for i in range(self.workers)]


def read_credentials(path: Path, count: int) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, password = line.partition(":")
        if not sep or not name or not password:
            raise ValueError(f"{path}:{number}: expected name:password")
        pairs.append((name, password))
    if len(pairs) < count:
        raise ValueError(f"{path} has {len(pairs)} users, --nodes asks for {count}")
    return pairs[:count]


def provision(
    count: int, prefix: str, passwd_file: Path, acl_file: Path, credentials: Path
) -> list[str]:
    """Create ``count`` device users and write their plain passwords to ``credentials``."""
    if credentials.exists():
        raise FileExistsError(f"{credentials} exists; not overwriting fleet credentials")
    names = [f"{prefix}-{i:04d}" for i in range(1, count + 1)]
    lines = []
    for name in names:
        password = new_password()
        add_user(name, Role.DEVICE, password, passwd_file, acl_file)
        lines.append(f"{name}:{password}\n")
    fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("".join(lines))
    return names


def worker_main(
    share: list[MqttSettings], plan: FleetPlan, index: int, out: Any, stop: Event
) -> None:
    """One worker process: run its share, then drain, reporting counters to the parent."""
    from sensormesh.simfleet import Counters, Fleet

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    fleet = Fleet(share, plan.rate, seed=index * 100_000)
    deadline = time.monotonic() + plan.seconds if plan.seconds > 0 else math.inf

    def report(counters: Counters, final: bool = False) -> None:
        body: dict[str, Any] = {"worker": index, **counters.snapshot(), "final": final}
        if final:
            body["by_device"] = counters.by_device
        out.put(body)

    fleet.run(lambda: stop.is_set() or time.monotonic() >= deadline, report, plan.report_s)
    fleet.drain(plan.drain_s, lambda counters: report(counters, final=True))


def run_fleet(plan: FleetPlan) -> dict[str, Any]:
    """Start the workers, print a JSON status line a second, return the final totals."""
    context = multiprocessing.get_context("spawn")
    reports: Any = context.Queue()
    stop = context.Event()
    workers = [
        context.Process(target=worker_main, args=(share, plan, i, reports, stop), daemon=True)
        for i, share in enumerate(plan.shares())
    ]

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    started = time.monotonic()
    for worker in workers:
        worker.start()
    latest: dict[int, dict[str, Any]] = {}
    finals: dict[int, dict[str, Any]] = {}
    next_print = started + plan.report_s
    while len(finals) < len(workers):
        try:
            body = reports.get(timeout=min(0.5, plan.report_s))
        except queue.Empty:
            if not any(w.is_alive() for w in workers):
                break
        else:
            latest[body["worker"]] = body
            if body["final"]:
                finals[body["worker"]] = body
        if time.monotonic() >= next_print:
            print(json.dumps(_totals(latest, started)), flush=True)
            next_print += plan.report_s
    for worker in workers:
        worker.join(10)
    totals = _totals(latest, started)
    totals["final"] = True
    totals["lost"] = totals["generated"] - totals["acked"]
    totals["workers_finished"] = len(finals)
    totals["by_device"] = {k: v for f in finals.values() for k, v in f["by_device"].items()}
    return totals


def _totals(latest: dict[int, dict[str, Any]], started: float) -> dict[str, Any]:
    totals: dict[str, Any] = {"elapsed_s": round(time.monotonic() - started, 1)}
    for key in ("connected", "generated", "acked", "connects"):
        totals[key] = sum(int(body[key]) for body in latest.values())
    return totals


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, required=True, help="simulated nodes")
    parser.add_argument("--rate", type=float, default=1.0, help="readings/s per node (1)")
    parser.add_argument("--seconds", type=float, default=0.0, help="run time (0: until Ctrl-C)")
    parser.add_argument("--host", default=os.environ.get("MQTT_HOST", "localhost"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MQTT_PORT", "8883")))
    parser.add_argument("--ca-cert", type=Path, default=os.environ.get("MQTT_CA_CERT"))
    parser.add_argument("--credentials", type=Path, required=True, help="name:password lines")
    parser.add_argument("--workers", type=int, default=0, help="processes (default: auto)")
    parser.add_argument("--drain-s", type=float, default=60.0, help="wait for acks at the end")
    parser.add_argument("--provision", action="store_true", help="create the users, then exit")
    parser.add_argument("--passwd-file", type=Path, help="with --provision")
    parser.add_argument("--prefix", default="sim", help="user names with --provision (sim)")
    parser.add_argument("--summary", type=Path, help="also write the totals per device here")
    parser.add_argument("--report-s", type=float, default=1.0, help="status line interval")


def run_command(args: argparse.Namespace) -> int:
    if args.nodes < 1 or args.rate <= 0:
        raise ValueError("--nodes must be >= 1 and --rate > 0")
    if args.provision:
        if args.passwd_file is None:
            raise ValueError("--provision needs --passwd-file (the broker's password file)")
        acl = args.passwd_file.with_name("acl")
        provision(args.nodes, args.prefix, args.passwd_file, acl, args.credentials)
        print(
            f"{args.nodes} users written to {args.passwd_file} and {acl}, passwords to "
            f"{args.credentials}; send the broker SIGHUP, then run without --provision"
        )
        return 0
    if args.ca_cert is None or not Path(args.ca_cert).is_file():
        raise ValueError("--ca-cert (or MQTT_CA_CERT) must name the CA certificate file")
    base = MqttSettings(args.host, args.port, "", "", Path(args.ca_cert).read_text())
    settings = tuple(
        replace(base, username=name, password=password)
        for name, password in read_credentials(args.credentials, args.nodes)
    )
    workers = args.workers or min(os.cpu_count() or 1, math.ceil(args.nodes / NODES_PER_WORKER))
    plan = FleetPlan(
        settings, args.rate, args.seconds, max(1, workers), args.drain_s, args.report_s
    )
    totals = run_fleet(plan)
    if args.summary is not None:
        args.summary.write_text(json.dumps(totals, indent=1) + "\n")
    print(json.dumps({k: v for k, v in totals.items() if k != "by_device"}), flush=True)
    return 0 if totals["lost"] == 0 and totals["workers_finished"] == plan.workers else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sensormesh simulate", description=__doc__)
    add_arguments(parser)
    try:
        return run_command(parser.parse_args(argv))
    except (FileExistsError, ValueError, OSError) as exc:
        print(f"sensormesh simulate: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
