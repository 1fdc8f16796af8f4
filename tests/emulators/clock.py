"""Virtual time: it passes only when someone sleeps, so timing rules are tested in microseconds.

One ``VirtualClock`` serves as the publisher's clock, as ``Hardware.monotonic``/``sleep`` and,
for drivers that keep their own time (adafruit_dht's 2 s cache), as their ``time`` module.
"""

from __future__ import annotations


class VirtualClock:
    # Not 0: adafruit_dht treats a last-read time of 0 as "never read".
    START_S = 1000.0

    def __init__(self, start: float = START_S) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
