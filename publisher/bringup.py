"""Bring-up tools for a person standing next to a fresh Pi: ``--check-config`` and ``--once``.

Both print JSON to stdout (logs go to stderr), so the output can be read by eye or piped into
``jq``, and neither touches the network.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from publisher.config import PublisherConfig
from publisher.sampling import SensorSlot
from publisher.sensors.base import SensorConfig
from publisher.sensors.hardware import Hardware

SECRET_WORDS = ("password", "secret", "token")


def effective_config(config: PublisherConfig) -> dict[str, Any]:
    """Every setting as the publisher will use it, defaults filled in, secrets left out."""
    return {f.name: _plain(getattr(config, f.name)) for f in dataclasses.fields(config)}


def describe_sensor(config: SensorConfig) -> dict[str, Any]:
    specs = {spec.name: spec for spec in config.driver.options}
    options = {
        key: None if value is None else specs[key].render(value)
        for key, value in config.options.items()
        if key in specs
    }
    return {
        "name": config.name,
        "driver": config.driver.kind,
        "options": options,
        "location": config.location or None,
        "fields": config.units(),
    }


def read_once(sensors: tuple[SensorConfig, ...], hardware: Hardware) -> tuple[dict[str, Any], bool]:
    """Open, read and close each sensor once; one failing sensor does not hide the others."""
    results: dict[str, Any] = {}
    for config in sensors:
        slot = SensorSlot(config, hardware.monotonic, hardware)
        try:
            values = slot.sample()
        finally:
            slot.close()
        result: dict[str, Any] = {"driver": config.driver.kind, "ok": values is not None}
        if values is None:
            result["error"] = slot.last_error or "no reading"
        else:
            result["values"] = values
            result["units"] = {name: config.units().get(name, "") for name in values}
        results[config.name] = result
    return results, all(result["ok"] for result in results.values())


def _plain(value: object) -> Any:
    """JSON-ready copy; any field whose name mentions a secret is reduced to whether it is set."""
    if isinstance(value, SensorConfig):
        return describe_sensor(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            field_value = getattr(value, f.name)
            if any(word in f.name.lower() for word in SECRET_WORDS):
                out[f"{f.name}_set"] = bool(field_value)
            else:
                out[f.name] = _plain(field_value)
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
