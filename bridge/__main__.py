"""``sensormesh-bridge``: read config from the environment, then run until SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from types import FrameType

from bridge.app import Bridge
from bridge.config import load_bridge_config
from bridge.writer import InfluxWriter
from sensormesh.configjson import config_as_json
from sensormesh.envconfig import ConfigError, exit_with_problems
from sensormesh.logsetup import setup_logging

PROGRAM = "sensormesh-bridge"


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Subscribe to sensor readings and write them to InfluxDB, acknowledging "
        "each message only after it is stored. Configured by environment variables.",
    )
    parser.add_argument(
        "--check-config",
        action="store_true",
        help="validate the environment, print the effective configuration as "
        "JSON (secrets left out) and exit without connecting",
    )
    args = parser.parse_args(argv)
    try:
        config = load_bridge_config(os.environ if env is None else env)
    except ConfigError as error:
        exit_with_problems(PROGRAM, error)
    if args.check_config:
        sys.stdout.write(json.dumps(config_as_json(config), indent=2, ensure_ascii=False) + "\n")
        return 0

    setup_logging(config.log_level)
    bridge = Bridge(config, InfluxWriter(config.influx))

    def request_stop(signum: int, frame: FrameType | None) -> None:
        bridge.request_stop()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    bridge.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
