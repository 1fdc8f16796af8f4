"""Shared unit-test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensormesh.admin.certs import init_certs


@pytest.fixture(scope="session")
def ca_cert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real CA certificate: the config loaders check that MQTT_CA_CERT is usable."""
    return init_certs(tmp_path_factory.mktemp("ca"), ["collector.local"], ["127.0.0.1"]).ca_cert
