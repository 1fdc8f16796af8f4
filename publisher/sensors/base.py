"""What a sensor driver is: data that declares its fields and options, plus an opener.

Drivers declare fields (with units and Home Assistant device classes) and options as data,
so the status message, ``--check-config`` and the docs table are all derived from the same
declaration instead of being written out three times.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from publisher.sensors.hardware import Hardware


class SensorError(Exception):
    """A failed open or read. The message says what to check (bus, address, pin)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    unit: str
    device_class: str | None
    description: str


@dataclass(frozen=True)
class OptionSpec:
    """One ``key=value`` a person may type after the driver name in ``SENSORS``."""

    name: str
    default: str
    description: str
    parse: Callable[[str], object]
    render: Callable[[object], str] = str  # back to what a person types, for --check-config


class Sensor(Protocol):
    def read(self) -> dict[str, float]:
        """Return one fresh sample, or raise SensorError. Never return stale values."""

    def close(self) -> None: ...


Options = Mapping[str, object]


@dataclass(frozen=True)
class DriverSpec:
    """One driver. ``at_option`` lets a person write ``bmp280@0x76`` for ``address=0x76``.

    ``location`` and ``checks`` go into the one log line of an outage, so the person at the
    node learns which bus, address or pin failed and what to look at.
    """

    kind: str
    summary: str
    fields: tuple[FieldSpec, ...]
    open: Callable[[Options, Hardware], Sensor]
    options: tuple[OptionSpec, ...] = ()
    aliases: tuple[str, ...] = ()
    wiring: str = ""
    default_name: Callable[[Options], str] | None = None
    active_fields: Callable[[Options], tuple[FieldSpec, ...]] | None = None
    at_option: str | None = None
    min_interval_s: float = 0.0
    location: Callable[[Options], str] | None = None
    checks: str = ""

    def fields_for(self, options: Options) -> tuple[FieldSpec, ...]:
        return self.active_fields(options) if self.active_fields else self.fields

    def name_for(self, options: Options) -> str:
        return self.default_name(options) if self.default_name else self.kind

    def location_for(self, options: Options) -> str:
        return self.location(options) if self.location else ""


@dataclass(frozen=True)
class SensorConfig:
    """One configured sensor instance: its topic name, its driver and parsed options."""

    name: str
    driver: DriverSpec
    options: Mapping[str, object] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return self.driver.fields_for(self.options)

    def units(self) -> dict[str, str]:
        return {spec.name: spec.unit for spec in self.fields}

    @property
    def location(self) -> str:
        return self.driver.location_for(self.options)

    def open(self, hardware: Hardware) -> Sensor:
        return self.driver.open(self.options, hardware)
