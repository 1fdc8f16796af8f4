"""``/healthz``: is this bridge connected and actually getting readings into InfluxDB?

Connected-but-stuck is the failure that matters: a bridge whose writes have not succeeded for
``STALL_TIMEOUT_S`` while messages wait is reported unhealthy (503), so an orchestrator can
restart it and an operator can see why. The body is JSON with the counters behind the verdict.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthReport:
    connected: bool
    pending_messages: int
    seconds_since_write: float | None
    stall_timeout_s: float
    counters: dict[str, Any]

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.connected:
            found.append("not connected to the MQTT broker")
        stalled = (
            self.seconds_since_write is None or self.seconds_since_write > self.stall_timeout_s
        )
        if self.pending_messages and stalled:
            found.append(
                f"{self.pending_messages} messages waiting and no successful "
                f"InfluxDB write for more than {self.stall_timeout_s:g}s"
            )
        return found

    def to_json(self) -> bytes:
        body = {
            "healthy": not self.problems,
            "problems": self.problems,
            "connected": self.connected,
            "pending_messages": self.pending_messages,
            "seconds_since_write": self.seconds_since_write,
            **self.counters,
        }
        return json.dumps(body).encode()


class HealthServer:
    def __init__(self, bind: str, port: int, report: Callable[[], HealthReport]) -> None:
        handler = _make_handler(report)
        self._server = ThreadingHTTPServer((bind, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="healthz", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()
        log.info("health endpoint on port %d at /healthz", self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _make_handler(report: Callable[[], HealthReport]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/healthz":
                self.send_error(404)
                return
            current = report()
            body = current.to_json()
            self.send_response(503 if current.problems else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler
