from __future__ import annotations

import base64
from pathlib import Path

import pytest

from sensormesh.admin.certs import init_certs
from sensormesh.envconfig import EnvReader
from sensormesh.mqtt import backoff_delays, read_mqtt_settings


@pytest.fixture(scope="module")
def ca_pem(tmp_path_factory: pytest.TempPathFactory) -> str:
    paths = init_certs(tmp_path_factory.mktemp("certs"), ["broker.local"], [])
    return paths.ca_cert.read_text()


def _settings_from(ca_value: str) -> tuple[str, list[str]]:
    reader = EnvReader(
        {"MQTT_HOST": "broker.local", "MQTT_PASSWORD": "pw", "MQTT_CA_CERT": ca_value}
    )
    settings = read_mqtt_settings(reader, default_username="node")
    return settings.ca_pem, reader.problems


def test_ca_may_be_a_path_inline_pem_or_base64(ca_pem: str, tmp_path: Path) -> None:
    path = tmp_path / "ca.crt"
    path.write_text(ca_pem)
    escaped = ca_pem.replace("\n", "\\n")
    for value in (str(path), ca_pem, escaped, base64.b64encode(ca_pem.encode()).decode()):
        pem, problems = _settings_from(value)
        assert problems == [] and pem.strip() == ca_pem.strip()


def test_unusable_ca_is_one_clear_problem(tmp_path: Path) -> None:
    assert _settings_from(str(tmp_path / "missing.crt"))[1] == [
        "MQTT_CA_CERT must be a readable file path, a PEM certificate, or base64 of one"
    ]
    broken = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"
    assert "does not hold a usable CA" in _settings_from(broken)[1][0]


def test_password_never_appears_in_repr(ca_pem: str) -> None:
    reader = EnvReader({"MQTT_HOST": "h", "MQTT_PASSWORD": "s3cret", "MQTT_CA_CERT": ca_pem})
    assert "s3cret" not in repr(read_mqtt_settings(reader, "node"))


def test_backoff_grows_with_jitter_and_stays_capped() -> None:
    delays = backoff_delays(0.5, 8.0)
    values = [delays() for _ in range(12)]
    assert all(0.25 <= value <= 8.0 for value in values)
    assert max(values[6:]) > 1.0  # grew past the first ceiling
