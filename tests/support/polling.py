"""Waiting for a condition with a deadline: the only way tests wait for anything."""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_TIMEOUT_S = 60.0
POLL_S = 0.1


def wait_for(check: Callable[[], bool], what: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for: {what}")
        time.sleep(POLL_S)
