"""BlinkaHardware: Blinka's ``board`` is imported on first use and its failures say what to do.

A stand-in ``board`` module plays the Pi here; the real one is exercised by the ``--once``
subprocess test in ``test_main.py`` (on a machine without I2C or GPIO 18).
"""

from __future__ import annotations

import sys
import types

import pytest

from publisher.sensors.base import SensorError
from publisher.sensors.hardware import BlinkaHardware


def fake_board(monkeypatch: pytest.MonkeyPatch, i2c_error: Exception | None = None) -> list[object]:
    """Install a ``board`` module whose ``I2C()`` records each bus it opens."""
    opened: list[object] = []

    def i2c() -> object:
        if i2c_error is not None:
            raise i2c_error
        bus = object()
        opened.append(bus)
        return bus

    board = types.ModuleType("board")
    board.board_id = "RASPBERRY_PI_4B"  # type: ignore[attr-defined]
    board.I2C = i2c  # type: ignore[attr-defined]
    board.D18 = "pin 18"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "board", board)
    return opened


def test_the_i2c_bus_is_opened_once_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = fake_board(monkeypatch)
    hardware = BlinkaHardware()
    assert hardware.i2c() is hardware.i2c()
    assert len(opened) == 1


def test_disabled_i2c_says_how_to_enable_it_on_balena(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_board(monkeypatch, ValueError("No Hardware I2C on (scl,sda)=(3, 2)"))
    with pytest.raises(SensorError, match=r"No Hardware I2C.*BALENA_HOST_CONFIG_dtparam"):
        BlinkaHardware().i2c()


def test_pins_are_looked_up_by_board_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_board(monkeypatch)
    hardware = BlinkaHardware()
    assert hardware.pin("D18") == "pin 18"
    with pytest.raises(SensorError, match="board RASPBERRY_PI_4B has no pin D27"):
        hardware.pin("D27")


def test_an_unknown_machine_is_a_sensor_error_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "board", None)  # makes ``import board`` raise ImportError
    with pytest.raises(SensorError, match="Blinka cannot drive this machine's pins"):
        BlinkaHardware().i2c()
