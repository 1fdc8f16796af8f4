"""Configuration as JSON for ``--check-config``: every setting as used, secrets left out.

A person checking a node or a bridge needs to see what the service will do, but the output
may be pasted into a chat: fields named like secrets become ``<name>_set: true/false``, and a
CA certificate is shown by its subject and fingerprint rather than as a wall of base64.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

SECRET_WORDS = ("password", "secret", "token")
Describe = Callable[[object], Any]


def config_as_json(value: object, describe: Describe | None = None) -> Any:
    """JSON-ready copy of a config dataclass; ``describe`` may render special types first."""
    if describe is not None and (special := describe(value)) is not None:
        return special
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for field in dataclasses.fields(value):
            field_value = getattr(value, field.name)
            if any(word in field.name.lower() for word in SECRET_WORDS):
                out[f"{field.name}_set"] = bool(field_value)
            elif field.name == "ca_pem":
                out["ca"] = describe_ca(str(field_value))
            else:
                out[field.name] = config_as_json(field_value, describe)
        return out
    if isinstance(value, Mapping):
        return {str(k): config_as_json(v, describe) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [config_as_json(v, describe) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def describe_ca(pem: str) -> dict[str, str]:
    if not pem:
        return {}
    # Imported here: cryptography costs a node ~9 MB of RSS, and only --check-config needs it.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    certificate = x509.load_pem_x509_certificate(pem.encode())
    return {
        "subject": certificate.subject.rfc4514_string(),
        "sha256": certificate.fingerprint(hashes.SHA256()).hex(":"),
        "not_after": certificate.not_valid_after_utc.isoformat(),
    }
