"""The sensor registry and the ``SENSORS`` syntax a person types into the balena dashboard.

``SENSORS=bmp280,ads1015:address=0x48:gain=1,dht22:pin=D18`` — instances separated by commas,
options by colons. ``bmp280@0x76`` is short for ``bmp280:address=0x76`` (and ``dht22@D4`` for
``dht22:pin=D4``). ``name=`` sets the topic level explicitly; otherwise the driver picks one,
``bmp280`` at the default address and ``bmp280@0x76`` elsewhere, so two chips of one kind get
distinct topics. Adding a driver is one module plus one line in ``DRIVERS``.
"""

from __future__ import annotations

from collections.abc import Iterable

from publisher.sensors import ads1015, bmp280, dht22, mock
from publisher.sensors.base import DriverSpec, SensorConfig
from sensormesh.contract import validate_sensor_name

DRIVERS: tuple[DriverSpec, ...] = (
    bmp280.DRIVER,
    ads1015.DRIVER,
    dht22.DRIVER,
    mock.DRIVER,
)


def drivers_by_name() -> dict[str, DriverSpec]:
    table: dict[str, DriverSpec] = {}
    for driver in DRIVERS:
        for key in (driver.kind, *driver.aliases):
            table[key] = driver
    return table


def parse_sensors(text: str) -> tuple[list[SensorConfig], list[str]]:
    """Parse ``SENSORS``; return the instances and one problem line per mistake."""
    known = drivers_by_name()
    configs: list[SensorConfig] = []
    problems: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        config, item_problems = _parse_instance(item, known)
        problems.extend(item_problems)
        if config is not None:
            configs.append(config)
    if not configs and not problems:
        problems.append("SENSORS lists no sensor (example: SENSORS=mock)")
    problems.extend(_duplicate_names(configs))
    return configs, problems


def _parse_instance(
    item: str, known: dict[str, DriverSpec]
) -> tuple[SensorConfig | None, list[str]]:
    head, *raw_options = (part.strip() for part in item.split(":"))
    kind, at, at_value = head.partition("@")
    driver = known.get(kind.strip().lower())
    if driver is None:
        choices = ", ".join(sorted(known))
        return None, [f"SENSORS: unknown sensor driver {kind!r} (known: {choices})"]
    problems: list[str] = []
    given: dict[str, str] = {}
    if at and driver.at_option is None:
        problems.append(f"SENSORS: {kind}: {head!r}: this driver takes no @address or @pin")
    elif at and not at_value.strip():
        problems.append(f"SENSORS: {kind}: {head!r}: nothing after @")
    elif at and driver.at_option is not None:
        given[driver.at_option] = at_value.strip()
    for raw in raw_options:
        key, sep, value = raw.partition("=")
        key = key.strip().lower()
        if not sep or not key or not value.strip():
            problems.append(f"SENSORS: {kind}: option {raw!r} is not key=value")
        elif key in given:
            problems.append(f"SENSORS: {kind}: {key} is given twice")
        else:
            given[key] = value.strip()
    options = _parse_options(driver, given, problems)
    explicit_name = given.get("name")
    name = explicit_name or driver.name_for(options)
    name_problem = validate_sensor_name(name)
    if name_problem:
        problems.append(f"SENSORS: {kind}: {name_problem}")
    options["name"] = name
    return (None if problems else SensorConfig(name, driver, options)), problems


def _parse_options(
    driver: DriverSpec, given: dict[str, str], problems: list[str]
) -> dict[str, object]:
    specs = {spec.name: spec for spec in driver.options}
    unknown = sorted(set(given) - set(specs) - {"name"})
    for key in unknown:
        allowed = ", ".join(["name", *specs]) or "name"
        problems.append(f"SENSORS: {driver.kind}: unknown option {key!r} (allowed: {allowed})")
    options: dict[str, object] = {}
    for spec in driver.options:
        raw = given.get(spec.name, spec.default)
        if raw == "":
            options[spec.name] = None
            continue
        try:
            options[spec.name] = spec.parse(raw)
        except (ValueError, KeyError) as exc:
            problems.append(f"SENSORS: {driver.kind}: {spec.name}={raw!r} is invalid: {exc}")
    return options


def _duplicate_names(configs: list[SensorConfig]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for config in configs:
        if config.name in seen:
            problems.append(
                f"SENSORS: two sensors are named {config.name!r}; give one a name= option"
            )
        seen.add(config.name)
    return problems


def interval_problems(sensors: Iterable[SensorConfig], sample_interval_s: float) -> list[str]:
    """Drivers that cannot measure as often as ``SAMPLE_INTERVAL_S`` asks (the DHT22: 2 s)."""
    return [
        f"SAMPLE_INTERVAL_S={sample_interval_s:g} is shorter than the "
        f"{config.driver.min_interval_s:g} s sensor {config.name!r} ({config.driver.kind}) "
        "needs between reads"
        for config in sensors
        if sample_interval_s < config.driver.min_interval_s
    ]
