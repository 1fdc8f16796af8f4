"""``sensormesh-publisher``: read config from the environment, then run until SIGTERM.

``--check-config`` and ``--once`` are for bring-up: they never connect to the broker.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from types import FrameType
from typing import Any

from publisher.app import Publisher
from publisher.bringup import effective_config, read_once
from publisher.config import load_publisher_config, load_sensor_configs
from publisher.sensors.hardware import BlinkaHardware, Hardware
from sensormesh.envconfig import ConfigError, exit_with_problems
from sensormesh.logsetup import setup_logging

PROGRAM = "sensormesh-publisher"
EXIT_SENSOR_FAILED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Read sensors on a schedule and publish readings over MQTT/TLS. "
        "Configured by environment variables (see README and docs/sensors.md).",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check-config",
        action="store_true",
        help="validate the environment, print the effective config as JSON (no password) "
        "and exit without connecting",
    )
    mode.add_argument(
        "--once",
        action="store_true",
        help="read every sensor in SENSORS once, print the readings as JSON and exit: "
        "0 if all read, 1 otherwise (needs only SENSORS)",
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    hardware: Hardware | None = None,
) -> int:
    """``hardware`` is the seam for tests: emulated chips instead of Blinka's board."""
    args = build_parser().parse_args(argv)
    environ = os.environ if env is None else env
    if args.once:
        return _read_once(environ, hardware or BlinkaHardware())
    try:
        config = load_publisher_config(environ)
    except ConfigError as error:
        exit_with_problems(PROGRAM, error)
    if args.check_config:
        _print_json(effective_config(config))
        return 0
    setup_logging(config.log_level)
    publisher = Publisher(config)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        publisher.stop_event.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    publisher.run()
    return 0


def _read_once(env: Mapping[str, str], hardware: Hardware) -> int:
    try:
        sensors, log_level = load_sensor_configs(env)
    except ConfigError as error:
        exit_with_problems(PROGRAM, error)
    setup_logging(log_level)
    with contextlib.redirect_stdout(sys.stderr):  # Blinka print()s warnings; keep JSON clean
        results, all_read = read_once(sensors, hardware)
    _print_json(results)
    return 0 if all_read else EXIT_SENSOR_FAILED


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
