"""``sensormesh-publisher``: read config from the environment, then run until SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from types import FrameType

from publisher.app import Publisher
from publisher.config import load_publisher_config
from sensormesh.envconfig import ConfigError, exit_with_problems
from sensormesh.logsetup import setup_logging

PROGRAM = "sensormesh-publisher"


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog=PROGRAM,
        description="Read sensors on a schedule and publish readings over MQTT/TLS. "
        "Configured by environment variables (see README).",
    )


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    build_parser().parse_args(argv)
    try:
        config = load_publisher_config(os.environ if env is None else env)
    except ConfigError as error:
        exit_with_problems(PROGRAM, error)
    setup_logging(config.log_level)
    publisher = Publisher(config)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        publisher.stop_event.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    publisher.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
