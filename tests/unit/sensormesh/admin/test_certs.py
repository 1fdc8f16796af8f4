from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from cryptography import x509

from sensormesh.admin.certs import init_certs


def test_server_certificate_names_every_host_and_ip_in_its_san(tmp_path: Path) -> None:
    paths = init_certs(tmp_path, ["collector.local", "abc1234.local"], ["192.0.2.7"])
    cert = x509.load_pem_x509_certificate(paths.server_cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["collector.local", "abc1234.local"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("192.0.2.7")]
    ca = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    cert.verify_directly_issued_by(ca)


def test_keys_are_private_and_existing_files_are_not_overwritten(tmp_path: Path) -> None:
    paths = init_certs(tmp_path, ["h"], [])
    assert oct(paths.ca_key.stat().st_mode & 0o777) == "0o600"
    assert oct(paths.server_key.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(FileExistsError):
        init_certs(tmp_path, ["h"], [])
    before = paths.ca_cert.read_bytes()
    init_certs(tmp_path, ["h"], [], force=True)
    assert paths.ca_cert.read_bytes() != before


def test_bad_ip_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        init_certs(tmp_path / "out", ["h"], ["300.1.1.1"])
    assert not (tmp_path / "out").exists()
