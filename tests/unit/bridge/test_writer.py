"""Retry the whole batch, or drop only the bad records: with a fake InfluxDB API."""

from __future__ import annotations

from typing import Any

import pytest
import urllib3
from influxdb_client.rest import ApiException

from bridge.config import InfluxSettings
from bridge.writer import InfluxWriter, TransientWriteError

SETTINGS = InfluxSettings("http://127.0.0.1:1", "t", "-", "db/rp", "readings", "status", 1.0)


class FakeWriteApi:
    def __init__(self, bad: set[str], status: int = 400) -> None:
        self.bad, self.status, self.posts = bad, status, 0

    def write(self, *, record: str, **kwargs: Any) -> None:
        self.posts += 1
        if any(line in self.bad for line in record.split("\n")):
            raise ApiException(status=self.status, reason="Bad Request")  # type: ignore[no-untyped-call]

    def close(self) -> None: ...


def _writer(api: Any) -> InfluxWriter:
    writer = InfluxWriter(SETTINGS)
    writer._api = api  # the seam: everything above the HTTP call is real
    return writer


def test_bad_lines_are_isolated_by_splitting() -> None:
    lines = [f"m v={i}" for i in range(16)]
    api = FakeWriteApi({lines[3], lines[11]})
    rejected = _writer(api).write(lines)
    assert [r.index for r in rejected] == [3, 11]
    assert "400" in rejected[0].reason
    assert api.posts < 16 * 2  # bisection, not one request per line


@pytest.mark.parametrize("status", [500, 503, 429, 401, 403, 404])
def test_server_and_auth_errors_retry_the_whole_batch(status: int) -> None:
    with pytest.raises(TransientWriteError, match=str(status)):
        _writer(FakeWriteApi({"m v=1"}, status)).write(["m v=1", "m v=2"])


def test_unreachable_server_is_transient() -> None:
    class Down(FakeWriteApi):
        def write(self, *, record: str, **kwargs: Any) -> None:
            raise urllib3.exceptions.NewConnectionError(None, "refused")  # type: ignore[arg-type]

    with pytest.raises(TransientWriteError, match="unreachable"):
        _writer(Down(set())).write(["m v=1"])
