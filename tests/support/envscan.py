"""Which environment variables the code reads, found by scanning its source.

The deployment tests compare docker-compose.yml against this, so the check grows with the
code instead of with a hand-kept list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

_NAME = r"([A-Z][A-Z0-9_]*[A-Z0-9])"
_PYTHON_READS = [
    re.compile(rf'\.(?:text|optional|integer|seconds|key_values)\(\s*"{_NAME}"'),
    re.compile(rf'(?:env|environ)\.get\(\s*"{_NAME}"'),
    re.compile(rf'environ\[\s*"{_NAME}"\s*\]'),
    re.compile(rf'getenv\(\s*"{_NAME}"'),
]
# EnvReader.text() without a default reports the variable as missing: a required one.
_PYTHON_REQUIRED = re.compile(rf'\.text\(\s*"{_NAME}"\s*\)')
_SHELL_REFERENCE = re.compile(rf"\$\{{?{_NAME}")
_SHELL_ASSIGNMENT = re.compile(rf"^\s*(?:export\s+)?{_NAME}=(.*)$", re.MULTILINE)
_TEMPLATE_REFERENCE = re.compile(rf"\$\{{{_NAME}\}}")


def python_files(*roots: Path) -> list[Path]:
    return sorted(
        path for root in roots for path in ([root] if root.is_file() else root.rglob("*.py"))
    )


def python_reads(files: Iterable[Path]) -> set[str]:
    names: set[str] = set()
    for path in files:
        text = path.read_text()
        for pattern in _PYTHON_READS:
            names.update(pattern.findall(text))
    return names


def python_required(files: Iterable[Path]) -> set[str]:
    return {name for path in files for name in _PYTHON_REQUIRED.findall(path.read_text())}


def shell_reads(files: Iterable[Path]) -> set[str]:
    """Variables a script takes from its environment: referenced, and not its own locals."""
    names: set[str] = set()
    for path in files:
        text = path.read_text()
        referenced = set(_SHELL_REFERENCE.findall(text))
        local = {
            name for name, value in _SHELL_ASSIGNMENT.findall(text) if f"${{{name}" not in value
        }
        names |= referenced - local
    return names


def template_reads(files: Iterable[Path]) -> set[str]:
    """``${NAME}`` in provisioning files, which Grafana expands from its environment."""
    return {name for path in files for name in _TEMPLATE_REFERENCE.findall(path.read_text())}
