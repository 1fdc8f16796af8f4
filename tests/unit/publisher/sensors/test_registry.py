"""The ``SENSORS`` syntax a person types into the balena dashboard."""

from __future__ import annotations

import pytest

from publisher.sensors.registry import DRIVERS, drivers_by_name, parse_sensors


def test_the_documented_example_parses_into_three_named_instances() -> None:
    configs, problems = parse_sensors("bmp280,ads1015:address=0x48:gain=1,dht22:pin=D18")
    assert problems == []
    assert [(c.name, c.driver.kind) for c in configs] == [
        ("bmp280", "bmp280"),
        ("ads1015@0x48", "ads1015"),
        ("dht22", "dht22"),
    ]
    assert configs[0].options["address"] == 0x77
    assert configs[1].options["address"] == 0x48 and configs[1].options["gain"] == 1
    assert configs[2].options["pin"] == "D18"


@pytest.mark.parametrize(
    ("text", "name", "option", "value"),
    [
        ("bmp280@0x76", "bmp280@0x76", "address", 0x76),
        ("bmp280:address=76", "bmp280@0x76", "address", 0x76),
        ("BMP280@0x77", "bmp280", "address", 0x77),
        ("ads1015@4a", "ads1015@0x4a", "address", 0x4A),
        ("dht22@GPIO4", "dht22@d4", "pin", "D4"),
        ("am2302:pin=18", "dht22", "pin", "D18"),
        ("ads1015:gain=2/3", "ads1015", "gain", 2 / 3),
        ("ads1015:channels=a3+a1", "ads1015", "channels", (1, 3)),
        ("dht22:name=greenhouse", "greenhouse", "pin", "D18"),
    ],
)
def test_shorthands_and_spellings_a_person_may_type(
    text: str, name: str, option: str, value: object
) -> None:
    (config,), problems = parse_sensors(text)
    assert problems == []
    assert config.name == name
    assert config.options[option] == value


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("thermo", "SENSORS: unknown sensor driver 'thermo' (known: ads1015, am2302, bmp280, "
                   "dht22, mock)"),
        ("bmp280:address=0x99", "SENSORS: bmp280: address='0x99' is invalid: this chip answers "
                                "only at 0x77, 0x76"),
        ("bmp280:adress=0x76", "SENSORS: bmp280: unknown option 'adress' (allowed: name, "
                               "address, sea_level_pressure)"),
        ("ads1015:gain=3", "SENSORS: ads1015: gain='3' is invalid: choose one of 2/3 (±6.144 V), "
                           "1 (±4.096 V), 2 (±2.048 V), 4 (±1.024 V), 8 (±0.512 V), 16 (±0.256 V)"),
        ("ads1015:channels=05", "SENSORS: ads1015: channels='05' is invalid: list inputs 0-3 "
                                "once each, e.g. 0123 or 0+2"),
        ("dht22:pin=D40", "SENSORS: dht22: pin='D40' is invalid: use a header GPIO in BCM "
                          "numbering, D0..D27"),
        ("dht22:attempts=9", "SENSORS: dht22: attempts='9' is invalid: must be between 1 and 5"),
        ("dht22:pin", "SENSORS: dht22: option 'pin' is not key=value"),
        ("mock@3", "SENSORS: mock: 'mock@3': this driver takes no @address or @pin"),
        ("bmp280@", "SENSORS: bmp280: 'bmp280@': nothing after @"),
        ("bmp280@0x76:address=0x77", "SENSORS: bmp280: address is given twice"),
        ("mock:name=Kitchen", "SENSORS: mock: sensor name 'Kitchen' must be 1-64 of "
                              "a-z 0-9 _ - @"),
        ("mock,mock", "SENSORS: two sensors are named 'mock'; give one a name= option"),
        (" , ", "SENSORS lists no sensor (example: SENSORS=mock)"),
    ],
)  # fmt: skip
def test_each_mistake_is_one_clear_line(text: str, problem: str) -> None:
    _, problems = parse_sensors(text)
    assert problems == [problem]


def test_every_mistake_in_one_value_is_reported_at_once() -> None:
    _, problems = parse_sensors("bmp280:address=0x99,thermo,dht22:pin=D99:colour=red")
    assert len(problems) == 4


def test_every_driver_declares_fields_with_units_and_documented_options() -> None:
    assert set(drivers_by_name()) == {"bmp280", "ads1015", "dht22", "am2302", "mock"}
    for driver in DRIVERS:
        assert driver.fields and all(f.unit and f.description for f in driver.fields)
        for option in driver.options:
            assert option.description
            if option.default:
                option.parse(option.default)  # every default must itself be valid
