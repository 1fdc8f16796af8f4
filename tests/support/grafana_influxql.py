"""Grafana's template interpolation for InfluxQL, so dashboard queries can be run as-is.

Mirrors what Grafana's InfluxDB datasource does before it sends a query: a multi-value or
"All" variable becomes a regex alternation of its values, each escaped with Grafana's
``escapeRegex``; ``$timeFilter`` becomes an absolute millisecond range; ``$__interval`` the
group-by interval Grafana computed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_REGEX_SPECIAL = re.compile(r"[\\^$*+?.()|\[\]{}/]")


def escape_regex(value: str) -> str:
    return _REGEX_SPECIAL.sub(lambda match: "\\" + match.group(0), value)


@dataclass(frozen=True)
class QueryContext:
    variables: Mapping[str, Sequence[str]]
    from_ms: int
    to_ms: int
    interval: str = "1s"

    def render(self, query: str) -> str:
        text = query.replace("$timeFilter", f"time >= {self.from_ms}ms and time <= {self.to_ms}ms")
        text = text.replace("$__interval", self.interval)
        for name in sorted(self.variables, key=len, reverse=True):
            values = self.variables[name]
            text = text.replace(f"${name}", "(" + "|".join(map(escape_regex, values)) + ")")
        leftover = re.findall(r"\$\w+", text)
        assert not leftover, f"unsubstituted template variables {leftover} in {text}"
        return text
