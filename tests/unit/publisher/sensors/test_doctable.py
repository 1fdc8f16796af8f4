"""docs/sensors.md must show exactly what the registry declares."""

from __future__ import annotations

from publisher.sensors import doctable
from publisher.sensors.registry import DRIVERS


def test_the_sensor_tables_in_the_docs_match_the_registry() -> None:
    document = doctable.DOC_PATH.read_text(encoding="utf-8")
    assert doctable.splice(document, doctable.render()) == document, (
        "docs/sensors.md is out of date: run python -m publisher.sensors.doctable --write"
    )


def test_the_tables_show_every_option_default_field_unit_and_wiring() -> None:
    table = doctable.render()
    for driver in DRIVERS:
        assert f"### `{driver.kind}`" in table and driver.wiring in table
        for option in driver.options:
            default = f"`{option.default}`" if option.default else "(none)"
            assert f"| `{option.name}` | {default} |" in table
        for field in driver.fields:
            assert f"| `{field.name}` | {field.unit} |" in table
