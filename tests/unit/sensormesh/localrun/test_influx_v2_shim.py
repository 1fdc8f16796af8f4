from __future__ import annotations

import pytest

from sensormesh.localrun.influx_v2_shim import v1_write_url


def test_bucket_token_and_precision_map_like_influxdb_1_8() -> None:
    url = v1_write_url(
        "http://i", "org=-&bucket=sensormesh/autogen&precision=ms", "Token user:secret"
    )
    assert url == "http://i/write?db=sensormesh&precision=ms&rp=autogen&u=user&p=secret"
    assert v1_write_url("http://i", "bucket=db", None) == "http://i/write?db=db&precision=n"


@pytest.mark.parametrize("query", ["org=-", "bucket=db&precision=h"])
def test_bad_requests_are_refused(query: str) -> None:
    with pytest.raises(ValueError):
        v1_write_url("http://i", query, None)
