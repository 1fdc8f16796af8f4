"""Bring-up tools for a person standing next to a fresh Pi: ``--check-config`` and ``--once``.

Both print JSON to stdout (logs go to stderr), so the output can be read by eye or piped into
``jq``, and neither touches the network.
"""

from __future__ import annotations

from typing import Any

from publisher.config import PublisherConfig
from publisher.sampling import SensorSlot
from publisher.sensors.base import SensorConfig
from publisher.sensors.hardware import Hardware
from sensormesh.configjson import config_as_json


def effective_config(config: PublisherConfig) -> dict[str, Any]:
    """Every setting as the publisher will use it, defaults filled in, secrets left out."""
    rendered: dict[str, Any] = config_as_json(config, _describe_sensor_config)
    return rendered


def _describe_sensor_config(value: object) -> dict[str, Any] | None:
    return describe_sensor(value) if isinstance(value, SensorConfig) else None


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
