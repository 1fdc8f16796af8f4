"""Emulated hardware for publisher tests: chips on an I2C bus, a DHT22 line, virtual time."""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.emulators.clock import VirtualClock
from tests.emulators.dht22 import pulseio_module
from tests.emulators.hardware import EmulatedHardware


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def hardware(clock: VirtualClock) -> EmulatedHardware:
    return EmulatedHardware(clock)


@pytest.fixture
def dht_library(monkeypatch: pytest.MonkeyPatch, clock: VirtualClock) -> ModuleType:
    """A fresh, unmodified adafruit_dht that finds the emulated ``pulseio`` at import, as it
    finds Blinka's on a Pi, and whose ``time`` is the virtual clock, so its 2 s cache and its
    0.25 s capture wait run in virtual time."""
    monkeypatch.setitem(sys.modules, "pulseio", pulseio_module())
    spec = importlib.util.find_spec("adafruit_dht")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._USE_PULSEIO, "adafruit_dht did not pick up the emulated pulseio"
    module.time = clock  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "adafruit_dht", module)
    return module


@pytest.fixture
def keep_root_logging() -> Iterator[None]:
    """``main()`` configures the root logger; put pytest's handlers back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
