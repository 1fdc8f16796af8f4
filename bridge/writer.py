"""Writing batches to InfluxDB: retry the whole batch, or drop only the bad records.

Connection errors, 5xx, 429 and auth/config errors (401/403/404) are *transient* from the
data's point of view: the points are fine, so the batch is retried until it lands and
nothing is acknowledged meanwhile. 400/413/422 mean some line is bad: the batch is split in
halves until the bad lines are isolated, and only those are rejected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import urllib3
from influxdb_client.client.influxdb_client import InfluxDBClient
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.domain.write_precision import WritePrecision
from influxdb_client.rest import ApiException

from bridge.config import InfluxSettings

log = logging.getLogger(__name__)

BAD_DATA_STATUSES = frozenset({400, 413, 422})


class TransientWriteError(Exception):
    """The batch could not be written now; write it again later."""


@dataclass(frozen=True)
class Rejected:
    index: int
    reason: str


class InfluxWriter:
    def __init__(self, settings: InfluxSettings) -> None:
        self._settings = settings
        self._client = InfluxDBClient(
            url=settings.url,
            token=settings.token,
            org=settings.org,
            timeout=int(settings.timeout_s * 1000),
            enable_gzip=False,
        )
        self._api = self._client.write_api(write_options=SYNCHRONOUS)

    def close(self) -> None:
        self._api.close()  # type: ignore[no-untyped-call]
        self._client.close()  # type: ignore[no-untyped-call]

    def write(self, lines: Sequence[str]) -> list[Rejected]:
        """Write every good line; return the rejected ones. Raise TransientWriteError."""
        rejected: list[Rejected] = []
        self._write_or_split(lines, 0, rejected)
        return rejected

    def _write_or_split(self, lines: Sequence[str], offset: int, rejected: list[Rejected]) -> None:
        try:
            self._post(lines)
        except _BadData as bad:
            if len(lines) == 1:
                rejected.append(Rejected(offset, bad.reason))
                return
            middle = len(lines) // 2
            self._write_or_split(lines[:middle], offset, rejected)
            self._write_or_split(lines[middle:], offset + middle, rejected)

    def _post(self, lines: Sequence[str]) -> None:
        try:
            self._api.write(
                bucket=self._settings.bucket,
                org=self._settings.org,
                record="\n".join(lines),
                write_precision=WritePrecision.NS,  # type: ignore[arg-type]
            )
        except ApiException as exc:
            reason = f"InfluxDB answered {exc.status}: {_message(exc)}"
            if exc.status in BAD_DATA_STATUSES:
                raise _BadData(reason) from None
            raise TransientWriteError(reason) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransientWriteError(f"InfluxDB unreachable: {exc}") from None


class _BadData(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _message(exc: ApiException) -> str:
    body = exc.body.decode(errors="replace") if isinstance(exc.body, bytes) else str(exc.body)
    return " ".join(body.split())[:200] or str(exc.reason)
