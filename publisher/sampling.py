"""Reading one sensor without ever letting it take the others down.

A slot owns one configured sensor: it opens it (retrying with backoff while the chip is
absent), reads it, counts consecutive misses and logs each outage once, with the bus, address
or pin and what to check, and logs the recovery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from publisher.sensors.base import Sensor, SensorConfig, SensorError
from publisher.sensors.hardware import BlinkaHardware, Hardware
from sensormesh.mqtt import backoff_delays

log = logging.getLogger(__name__)

REOPEN_MIN_S = 1.0
REOPEN_MAX_S = 60.0


class SensorSlot:
    """``hardware`` is shared by a node's slots (one I2C bus); tests pass emulated chips."""

    def __init__(
        self,
        config: SensorConfig,
        clock: Callable[[], float],
        hardware: Hardware | None = None,
    ) -> None:
        self.config = config
        self.misses = 0
        self.last_error: str | None = None
        self._clock = clock
        self._hardware: Hardware = hardware if hardware is not None else BlinkaHardware()
        self._sensor: Sensor | None = None
        self._next_open_at = 0.0
        self._reopen_delay = backoff_delays(REOPEN_MIN_S, REOPEN_MAX_S)
        self._failing = False

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def is_open(self) -> bool:
        return self._sensor is not None

    def sample(self) -> dict[str, float] | None:
        """One fresh sample, or None after counting a miss."""
        sensor = self._sensor if self._sensor is not None else self._try_open()
        if sensor is None:
            return self._miss(None)
        try:
            values = sensor.read()
        except SensorError as exc:
            return self._miss(f"read failed: {exc}")
        except Exception as exc:  # a bus error or a driver bug must not stop the node
            self._close()
            self._next_open_at = self._clock()  # reopen at once; back off only if that fails
            return self._miss(f"read failed, closed for reopening: {_describe(exc)}")
        if self._failing:
            log.info(
                "sensor %s (%s) reads again after %d misses", self.name, self._where, self.misses
            )
        self._failing = False
        self.misses = 0
        self.last_error = None
        return dict(values)

    def close(self) -> None:
        self._close()

    @property
    def _where(self) -> str:
        location = self.config.location
        return f"{self.config.driver.kind} at {location}" if location else self.config.driver.kind

    def _try_open(self) -> Sensor | None:
        now = self._clock()
        if now < self._next_open_at:
            return None
        try:
            self._sensor = self.config.open(self._hardware)
        except Exception as exc:
            delay = self._reopen_delay()
            self._next_open_at = now + delay
            self._report(f"cannot open: {_describe(exc)}")
            log.debug("sensor %s: next open attempt in %.1fs", self.name, delay)
            return None
        self._reopen_delay = backoff_delays(REOPEN_MIN_S, REOPEN_MAX_S)
        log.info("sensor %s (%s) opened", self.name, self._where)
        return self._sensor

    def _miss(self, problem: str | None) -> dict[str, float] | None:
        self.misses += 1
        if problem is not None:
            self._report(problem)
        return None

    def _report(self, problem: str) -> None:
        self.last_error = problem
        if self._failing:
            log.debug("sensor %s still failing: %s", self.name, problem)
            return
        self._failing = True
        checks = f"; check {self.config.driver.checks}" if self.config.driver.checks else ""
        log.warning("sensor %s (%s) %s%s", self.name, self._where, problem, checks)

    def _close(self) -> None:
        sensor, self._sensor = self._sensor, None
        if sensor is not None:
            try:
                sensor.close()
            except Exception as exc:
                log.debug("closing sensor %s failed: %s", self.name, exc)


def _describe(exc: Exception) -> str:
    """OSError 121 alone says little; name the errno so the log is searchable."""
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if isinstance(exc, OSError) else text
