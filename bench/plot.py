"""Draw docs/throughput.png from the latest throughput (and scale-out) results.

    python -m bench.plot

Needs the ``bench`` extra (matplotlib). Reads bench/results/throughput-latest.json and, if
present, scaleout-latest.json; each bar is the median of the runs, each dot one run.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.common import RESULTS, median

DOCS = Path(__file__).resolve().parents[1] / "docs"
BARS = (
    ("ceiling", "bare paho\nsubscriber\n(ceiling)", "#9e9e9e"),
    ("bridge", "sensormesh\nbridge", "#1f77b4"),
    ("nodered", "Node-RED 4\nmqtt in →\ninfluxdb out", "#d62728"),
)


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}-latest.json"
    return json.loads(path.read_text()) if path.exists() else None


def draw(throughput: dict[str, Any], scaleout: dict[str, Any] | None, out: Path) -> None:
    panels = 2 if scaleout else 1
    figure, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4.6), squeeze=False)
    ax = axes[0][0]
    present = [bar for bar in BARS if all(bar[0] in run for run in throughput["runs"])]
    for x, (key, _, colour) in enumerate(present):
        rates = [run[key]["rate"] for run in throughput["runs"]]
        ax.bar(x, median(rates), color=colour, width=0.6)
        ax.scatter([x] * len(rates), rates, color="black", s=10, zorder=3)
        ax.annotate(
            f"{median(rates):,.0f}/s", (x + 0.31, median(rates)), ha="left", va="center", fontsize=8
        )
    ceiling = median(run["ceiling"]["rate"] for run in throughput["runs"])
    ax.axhline(0.8 * ceiling, color="#1f77b4", linestyle="--", linewidth=0.8)
    ax.annotate("target: 0.8 × ceiling", (-0.45, 0.8 * ceiling), va="bottom", fontsize=7)
    database = throughput["medians_per_s"]["database_shim"]
    ax.annotate(
        f"InfluxDB alone, same points in batches: {database:,.0f}/s (off the chart)",
        (0.5, 0.97),
        xycoords="axes fraction",
        ha="center",
        va="top",
        fontsize=7,
    )
    ax.set_xlim(-0.6, len(present) - 0.1)
    ax.set_ylim(0, ceiling * 1.2)
    ax.set_xticks(range(len(present)), [bar[1] for bar in present], fontsize=8)
    ax.set_ylabel("readings/s (QoS 1, TLS)")
    ratios = throughput["ratios_median_of_runs"]
    title = f"bridge/ceiling {ratios['bridge_over_ceiling']:.2f}"
    if "bridge_over_nodered" in ratios:
        title += f", bridge/Node-RED {ratios['bridge_over_nodered']:.1f}×"
    ax.set_title(
        f"Throughput into InfluxDB, median of {len(throughput['runs'])} runs\n{title}", fontsize=9
    )
    if scaleout:
        ax2 = axes[0][1]
        counts = sorted(scaleout["summary"], key=int)
        ax2.bar(
            range(len(counts)),
            [scaleout["summary"][n]["median_rate"] for n in counts],
            color="#1f77b4",
            width=0.6,
        )
        ax2.set_xticks(range(len(counts)), [f"{n} bridge(s)" for n in counts], fontsize=8)
        ax2.set_title("Scale-out: one shared-subscription group\n(2-core machine)", fontsize=9)
        ax2.set_ylabel("readings/s")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DOCS / "throughput.png")
    args = parser.parse_args(argv)
    throughput = _load("throughput")
    if throughput is None:
        parser.error("no bench/results/throughput-latest.json: run python -m bench.throughput")
    draw(throughput, _load("scaleout"), args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
