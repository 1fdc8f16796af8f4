"""The Dockerfiles and the scripts they copy: linted, and every copied file exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.deploy import ROOT

BIN = Path(sys.executable).parent
DOCKERFILES = sorted(ROOT.glob("*/Dockerfile")) + sorted(ROOT.glob("*/*/Dockerfile"))
SCRIPTS = sorted(
    path
    for folder in ("deploy", "mosquitto", "influxdb", "grafana")
    for path in (ROOT / folder).rglob("*.sh")
)
_COPY = re.compile(r"^COPY\s+(?!--from)(?:--\S+\s+)*(.+?)\s+\S+$", re.MULTILINE)


def ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


def test_every_image_is_covered() -> None:
    found = set(ids(DOCKERFILES))
    expected = {"bridge", "grafana", "influxdb", "influxdb/v1.8", "mosquitto", "publisher"}
    assert found == {f"{name}/Dockerfile" for name in expected}


@pytest.mark.parametrize("path", DOCKERFILES, ids=ids(DOCKERFILES))
def test_dockerfile_passes_hadolint(path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "hadolint"), "--config", str(ROOT / ".hadolint.yaml"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", DOCKERFILES, ids=ids(DOCKERFILES))
def test_every_file_a_dockerfile_copies_exists(path: Path) -> None:
    sources = [item for m in _COPY.finditer(path.read_text()) for item in m.group(1).split()]
    assert sources, "no COPY found: the pattern is broken"
    assert [s for s in sources if not (ROOT / s).exists()] == []


@pytest.mark.parametrize("path", SCRIPTS, ids=ids(SCRIPTS))
def test_script_passes_shellcheck_and_is_executable(path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "shellcheck"), str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert path.stat().st_mode & 0o111, "COPY keeps the mode: the entrypoint must be executable"
