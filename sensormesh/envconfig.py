"""Parse environment variables into typed values, collecting every problem at once.

balena hands configuration over as environment variables; a person fixing them in a dashboard
wants the whole list of mistakes in one go, not one per restart.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from typing import NoReturn, TypeVar

T = TypeVar("T")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """Raised with every problem found, one human-readable line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class EnvReader:
    """Reads typed values from an environment mapping and remembers what was wrong."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def text(self, name: str, default: str | None = None) -> str:
        value = self.env.get(name, "").strip()
        if value:
            return value
        if default is None:
            self.problems.append(f"{name} is required but not set")
            return ""
        return default

    def optional(self, name: str) -> str | None:
        value = self.env.get(name, "").strip()
        return value or None

    def integer(self, name: str, default: int, minimum: int = 0, maximum: int = 2**31) -> int:
        return self._number(name, default, int, minimum, maximum)

    def seconds(self, name: str, default: float, minimum: float = 0.0) -> float:
        return self._number(name, default, float, minimum, math.inf)

    def _number(
        self, name: str, default: T, kind: Callable[[str], T], low: float, high: float
    ) -> T:
        raw = self.env.get(name, "").strip()
        if not raw:
            return default
        try:
            value = kind(raw)
        except ValueError:
            noun = "an integer" if kind is int else "a number"
            self.problems.append(f"{name}={raw!r} is not {noun}")
            return default
        if not low <= value <= high:  # type: ignore[operator]
            bounds = f"at least {low:g}" if high == math.inf else f"between {low:g} and {high:g}"
            self.problems.append(f"{name}={raw!r} must be {bounds}")

            return default
        return value

    def key_values(self, name: str) -> dict[str, str]:
        """``room=kitchen,floor=1`` -> dict; a person types this into a dashboard field."""
        raw = self.env.get(name, "").strip()
        pairs: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in raw.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                self.problems.append(f"{name}: {item!r} is not key=value")
                continue
            pairs[key.strip()] = value.strip()
        return pairs

    def log_level(self) -> str:
        """``LOG_LEVEL``, one of DEBUG, INFO, WARNING, ERROR (any case); INFO by default."""
        raw = self.env.get("LOG_LEVEL", "").strip()
        level = (raw or "INFO").upper()
        if level not in LOG_LEVELS:
            self.problems.append(f"LOG_LEVEL={raw!r} must be one of {', '.join(LOG_LEVELS)}")
            return "INFO"
        return level

    def check(self, problem: str | None) -> None:
        if problem:
            self.problems.append(problem)

    def raise_if_problems(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


def exit_with_problems(program: str, error: ConfigError) -> NoReturn:
    for problem in error.problems:
        sys.stderr.write(f"{program}: config error: {problem}\n")
    raise SystemExit(2)
