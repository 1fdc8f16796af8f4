"""One logging format for every sensormesh process: one line per event, to stderr."""

from __future__ import annotations

import logging
import sys


def setup_logging(level: str) -> None:
    """Configure the root logger; called once from each ``__main__`` after config is read."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # paho and urllib3 are chatty at INFO/DEBUG; their failures reach us as exceptions anyway.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
