"""Shared helpers for the deployment tests: the repository's deploy files and Node tools."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from sensormesh.localrun.broker import repo_root

ROOT = repo_root()
TOOLS = ROOT / ".tools"
COMPOSE_FILE = ROOT / "docker-compose.yml"
DASHBOARD_FILE = ROOT / "grafana" / "dashboards" / "sensor-mesh.json"
SUPPORT = Path(__file__).resolve().parent


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = load_yaml(COMPOSE_FILE)
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def environment(service: str) -> dict[str, str]:
    return {key: str(value) for key, value in services()[service].get("environment", {}).items()}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD_FILE.read_text())
    return loaded


def grafana_image_version() -> str:
    """The Grafana tag grafana/Dockerfile builds from."""
    for line in (ROOT / "grafana" / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM grafana/grafana:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("grafana/Dockerfile has no FROM grafana/grafana:<version>")


def node_json(script: str, *args: str, timeout: float = 120) -> Any:
    """Run one of the Node helpers next to this file with the tools from scripts/bootstrap."""
    if not (TOOLS / "node_modules").is_dir():
        raise AssertionError(f"{TOOLS} is missing: run scripts/bootstrap")
    done = subprocess.run(
        ["node", str(SUPPORT / script), str(TOOLS), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(done.stdout)


def grafana_schemas(panel_types: list[str]) -> dict[str, Any]:
    """JSON Schemas from @grafana/schema, cached per version and panel set (generating: ~5 s)."""
    key = "-".join(sorted(panel_types))
    cache = TOOLS / "cache" / f"grafana-schema-{grafana_image_version()}-{key}.json"
    if cache.is_file():
        cached: dict[str, Any] = json.loads(cache.read_text())
        return cached
    schemas: dict[str, Any] = node_json("grafana_schema.mjs", *sorted(panel_types))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(schemas))
    return schemas
