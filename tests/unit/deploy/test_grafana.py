"""Grafana: the dashboard against Grafana's own schema, and provisioning Grafana can load.

The schema is generated from @grafana/schema (Grafana's TypeScript types for the classic
dashboard JSON model and each panel's options) at the version grafana/Dockerfile pins.
Unknown keys are rejected, because Grafana silently ignores a misspelt one.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest

from tests.support.deploy import ROOT, dashboard, grafana_image_version, grafana_schemas, load_yaml
from tests.support.deploy import services as compose_services

PROVISIONING = ROOT / "grafana" / "provisioning"
DATASOURCE_UID = "sensormesh-influxql"
UNITS = {
    "Temperature": "celsius",
    "Humidity": "humidity",
    "Pressure": "pressurehpa",
    "Analog inputs": "volt",
    "Write latency": "ms",
}


def panels() -> list[dict[str, Any]]:
    return [panel for panel in dashboard()["panels"] if panel["type"] != "row"]


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return grafana_schemas(sorted({panel["type"] for panel in panels()}))


def errors(schema: dict[str, Any], document: object) -> list[str]:
    found = jsonschema.Draft7Validator(schema).iter_errors(document)
    return [f"{list(e.absolute_path)}: {e.message}" for e in found]


def test_schema_is_for_the_grafana_version_the_image_pins(schemas: dict[str, Any]) -> None:
    assert schemas["version"] == grafana_image_version()
    assert {panel["pluginVersion"] for panel in panels()} == {grafana_image_version()}


def test_dashboard_matches_grafanas_dashboard_schema(schemas: dict[str, Any]) -> None:
    assert errors(schemas["dashboard"], dashboard()) == []


def test_a_misspelt_key_fails_the_schema(schemas: dict[str, Any]) -> None:
    broken = copy.deepcopy(dashboard())
    broken["panels"][1]["fieldconfig"] = broken["panels"][1].pop("fieldConfig")
    assert any("fieldconfig" in error for error in errors(schemas["dashboard"], broken))


@pytest.mark.parametrize("panel", panels(), ids=lambda p: p["title"])
def test_panel_options_match_the_panel_types_schema(
    panel: dict[str, Any], schemas: dict[str, Any]
) -> None:
    schema = schemas["panels"][panel["type"]]
    assert errors(schema["Options"], panel["options"]) == []
    assert errors(schema["FieldConfig"], panel["fieldConfig"]["defaults"].get("custom", {})) == []


def test_every_panel_and_variable_uses_the_provisioned_datasource() -> None:
    refs = [panel["datasource"] for panel in panels()]
    refs += [target["datasource"] for panel in panels() for target in panel["targets"]]
    refs += [variable["datasource"] for variable in dashboard()["templating"]["list"]]
    assert {(ref["type"], ref["uid"]) for ref in refs} == {("influxdb", DATASOURCE_UID)}


def test_device_and_sensor_variables_offer_all_and_several_values() -> None:
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    assert set(variables) == {"device", "sensor"}
    for variable in variables.values():
        assert variable["type"] == "query"
        assert variable["multi"] and variable["includeAll"]
        assert variable["query"].startswith("SHOW TAG VALUES")
        assert variable["refresh"] == 2, "refresh with the time range, so new nodes appear"


@pytest.mark.parametrize("title", sorted(UNITS))
def test_quantities_have_units(title: str) -> None:
    (panel,) = [p for p in panels() if p["title"] == title]
    assert panel["fieldConfig"]["defaults"]["unit"] == UNITS[title]


def test_panels_do_not_overlap_and_ids_are_unique() -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard()["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]
    all_ids = [panel["id"] for panel in dashboard()["panels"]]
    assert len(all_ids) == len(set(all_ids))


def test_datasource_provisioning_has_what_grafana_reads() -> None:
    document = load_yaml(PROVISIONING / "datasources" / "sensormesh.yaml")
    assert document["apiVersion"] == 1
    (source,) = document["datasources"]
    assert {"name", "type", "access", "url", "uid"} <= set(source)
    assert (source["type"], source["access"], source["uid"]) == (
        "influxdb",
        "proxy",
        DATASOURCE_UID,
    )
    assert source["jsonData"]["version"] == "InfluxQL"
    assert source["jsonData"]["dbName"] == "sensormesh"
    assert urlparse(source["url"]).hostname in compose_services()
    header = source["jsonData"]["httpHeaderName1"]
    assert (header, source["secureJsonData"]["httpHeaderValue1"]) == (
        "Authorization",
        "Token ${INFLUX_READ_TOKEN}",
    )


def test_dashboard_provisioning_points_at_where_the_image_puts_the_dashboard() -> None:
    document = load_yaml(PROVISIONING / "dashboards" / "sensormesh.yaml")
    assert document["apiVersion"] == 1
    (provider,) = document["providers"]
    assert {"name", "type", "options"} <= set(provider)
    assert provider["type"] == "file"
    dockerfile = (ROOT / "grafana" / "Dockerfile").read_text()
    path = provider["options"]["path"]
    assert f"COPY grafana/dashboards {path}\n" in dockerfile
    assert "COPY grafana/provisioning /etc/grafana/provisioning\n" in dockerfile
    assert f"GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH={path}/sensor-mesh.json" in dockerfile
