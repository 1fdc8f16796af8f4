"""Serve ``/api/v2/write`` in front of an InfluxDB 1.x that only has ``/write``.

Debian 12 ships influxd 1.6.7, which predates the v2 compatibility API of 1.8. The bridge
speaks only the v2 write API (through influxdb-client), so for local runs and tests this
shim maps a request exactly as InfluxDB 1.8 does — bucket ``db/rp`` (or ``db``), token
``user:password``, org ignored, precision ns/us/ms/s — forwards it to ``/write`` and passes
the status code and body straight back. It adds no behaviour of its own.
"""

from __future__ import annotations

import argparse
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRECISIONS = {"ns": "n", "us": "u", "ms": "ms", "s": "s"}


def v1_write_url(influx_url: str, query: str, authorization: str | None) -> str:
    """Translate a v2 write query string (and Authorization header) into a 1.x /write URL."""
    params = urllib.parse.parse_qs(query)
    bucket = params.get("bucket", [""])[0]
    database, _, retention = bucket.partition("/")
    if not database:
        raise ValueError("bucket is required")
    precision = params.get("precision", ["ns"])[0]
    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r} is not one of ns, us, ms, s")
    mapped = {"db": database, "precision": PRECISIONS[precision]}
    if retention:
        mapped["rp"] = retention
    if authorization and authorization.startswith("Token "):
        user, sep, password = authorization[len("Token ") :].partition(":")
        if sep:
            mapped["u"], mapped["p"] = user, password
    return f"{influx_url}/write?{urllib.parse.urlencode(mapped)}"


class _Handler(BaseHTTPRequestHandler):
    server: _ShimServer

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != "/api/v2/write":
            self._reply(404, b'{"code":"not found","message":"path not found"}')
            return
        try:
            url = v1_write_url(self.server.influx_url, query, self.headers.get("Authorization"))
        except ValueError as exc:
            self._reply(400, f'{{"code":"invalid","message":"{exc}"}}'.encode())
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if self.headers.get("Content-Encoding"):
            headers["Content-Encoding"] = self.headers["Content-Encoding"]
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                self._reply(response.status, response.read())
        except urllib.error.HTTPError as exc:
            self._reply(exc.code, exc.read())
        except OSError:
            self._reply(503, b'{"code":"unavailable","message":"influxd unreachable"}')

    def do_GET(self) -> None:
        if self.path in ("/ping", "/health"):
            self._reply(204, b"")
        else:
            self._reply(404, b"")

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


class _ShimServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, influx_url: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.influx_url = influx_url.rstrip("/")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--influx-url", required=True, help="the 1.x server, e.g. http://...")
    args = parser.parse_args(argv)
    with _ShimServer(args.port, args.influx_url) as server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
