"""Reading one sensor without ever letting it take the others down.

A slot owns one configured sensor: it opens it (retrying with backoff while the chip is
absent), reads it, counts consecutive misses and logs each outage once with what to check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from publisher.sensors.base import Sensor, SensorConfig, SensorError
from sensormesh.mqtt import backoff_delays

log = logging.getLogger(__name__)

REOPEN_MIN_S = 1.0
REOPEN_MAX_S = 60.0


class SensorSlot:
    def __init__(self, config: SensorConfig, clock: Callable[[], float]) -> None:
        self.config = config
        self.misses = 0
        self._clock = clock
        self._sensor: Sensor | None = None
        self._next_open_at = 0.0
        self._reopen_delay = backoff_delays(REOPEN_MIN_S, REOPEN_MAX_S)
        self._failing = False

    @property
    def name(self) -> str:
        return self.config.name

    def sample(self) -> dict[str, float] | None:
        """One fresh sample, or None after counting a miss."""
        sensor = self._sensor if self._sensor is not None else self._try_open()
        if sensor is None:
            return self._miss(None)
        try:
            values = sensor.read()
        except SensorError as exc:
            return self._miss(exc)
        except Exception as exc:  # a bus error or a driver bug must not stop the node
            self._close()
            return self._miss(exc)
        if self._failing:
            log.info("sensor %s reads again after %d misses", self.name, self.misses)
        self._failing = False
        self.misses = 0
        return dict(values)

    def close(self) -> None:
        self._close()

    def _try_open(self) -> Sensor | None:
        now = self._clock()
        if now < self._next_open_at:
            return None
        try:
            self._sensor = self.config.open()
        except Exception as exc:
            self._next_open_at = now + self._reopen_delay()
            self._report(f"cannot open: {exc}")
            return None
        self._reopen_delay = backoff_delays(REOPEN_MIN_S, REOPEN_MAX_S)
        log.info("sensor %s (%s) opened", self.name, self.config.driver.kind)
        return self._sensor

    def _miss(self, exc: Exception | None) -> dict[str, float] | None:
        self.misses += 1
        if exc is not None:
            self._report(f"read failed: {exc}")
        return None

    def _report(self, problem: str) -> None:
        if not self._failing:
            log.warning("sensor %s (%s) %s", self.name, self.config.driver.kind, problem)
        self._failing = True

    def _close(self) -> None:
        sensor, self._sensor = self._sensor, None
        if sensor is not None:
            try:
                sensor.close()
            except Exception as exc:
                log.debug("closing sensor %s failed: %s", self.name, exc)
