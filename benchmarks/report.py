"""Print the side-by-side benchmark ratios of the last ``make bench`` run.

    python -m benchmarks.report [RESULTS.json]

Reads the pytest-benchmark JSON (default ``.benchmarks/latest.json``, which
``make bench`` writes). Each comparison is a benchmark group with exactly two
tests, one with ``extra_info["side"] == "core"`` and one with ``"baseline"``;
the ratio is baseline median / core median, so "core is 3.0x faster" means the
core needs a third of the baseline's time. Other ``extra_info`` entries (such as
updates per second) are shown beside each side.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

DEFAULT_RESULTS = Path(".benchmarks") / "latest.json"
SIDES = ("core", "baseline")
#: A group of one test whose side is this reports absolute figures (no peer to compare).
ABSOLUTE = "absolute"
NO_GROUP = "(no group)"


class ReportError(Exception):
    """The results cannot be read; the message says what to do."""


@dataclass(frozen=True)
class BenchResult:
    """One benchmark test's figures (seconds)."""

    name: str
    group: str
    side: str | None
    median: float
    minimum: float
    rounds: int
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    """One group: its core and baseline results, or why they cannot be compared."""

    group: str
    results: tuple[BenchResult, ...]
    core: BenchResult | None = None
    baseline: BenchResult | None = None
    problem: str | None = None

    @property
    def ratio(self) -> float | None:
        """baseline median / core median; above 1 means the core is faster."""
        if self.core is None or self.baseline is None:
            return None
        return speedup(self.core.median, self.baseline.median)

    def verdict(self) -> str:
        if self.problem is not None:
            return f"not compared: {self.problem}"
        if self.core is None and self.baseline is None:
            return "absolute figures (no peer measured beside it)"
        ratio = self.ratio
        assert ratio is not None
        return describe_ratio(ratio)


def speedup(core_median: float, baseline_median: float) -> float:
    """How many times faster the core is than the baseline (baseline / core)."""
    if not (core_median > 0 and baseline_median > 0 and math.isfinite(core_median) and math.isfinite(baseline_median)):
        raise ValueError(f"medians must be positive and finite, got core={core_median!r} baseline={baseline_median!r}")
    return baseline_median / core_median


def describe_ratio(ratio: float) -> str:
    if f"{ratio:.1f}" == "1.0" and f"{1 / ratio:.1f}" == "1.0":
        return "core and baseline are about as fast"
    if ratio >= 1:
        return f"core is {ratio:.1f}x faster"
    return f"core is {1 / ratio:.1f}x slower"


def load_results(path: Path) -> list[BenchResult]:
    """The benchmarks in a pytest-benchmark JSON file; ReportError says what is wrong."""
    if not path.is_file():
        raise ReportError(
            f"no benchmark results at {path}. Run `make bench` first "
            "(it runs the benchmarks with --benchmark-json=.benchmarks/latest.json), "
            "or pass the path of a pytest-benchmark JSON file."
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = document["benchmarks"]
        results = [_parse_entry(entry) for entry in entries]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"{path} is not a pytest-benchmark JSON file ({type(exc).__name__}: {exc}); run `make bench` again.") from exc
    return results


def _parse_entry(entry: Mapping[str, Any]) -> BenchResult:
    stats = entry["stats"]
    extra = dict(entry.get("extra_info") or {})
    side = extra.pop("side", None)
    return BenchResult(
        name=str(entry["name"]),
        group=str(entry.get("group") or NO_GROUP),
        side=str(side) if side is not None else None,
        median=float(stats["median"]),
        minimum=float(stats["min"]),
        rounds=int(stats["rounds"]),
        extra=extra,
    )


def compare(results: Iterable[BenchResult]) -> list[Comparison]:
    """One Comparison per group, sorted by group name."""
    by_group: dict[str, list[BenchResult]] = {}
    for result in results:
        by_group.setdefault(result.group, []).append(result)
    return [_compare_group(group, tuple(sorted(by_group[group], key=_row_order))) for group in sorted(by_group)]


def _row_order(result: BenchResult) -> tuple[int, str]:
    return (SIDES.index(result.side) if result.side in SIDES else len(SIDES), result.name)


def _compare_group(group: str, results: tuple[BenchResult, ...]) -> Comparison:
    if group == NO_GROUP:
        return Comparison(group, results, problem='no benchmark group: mark it @pytest.mark.benchmark(group="...")')
    sides = [result.side for result in results]
    if sides == [ABSOLUTE]:
        return Comparison(group, results)
    if sorted(side or "" for side in sides) != sorted(SIDES):
        shown = ", ".join(f"{r.name}={r.side!r}" for r in results)
        return Comparison(
            group, results, problem=f'needs exactly one "core" and one "baseline" test (extra_info["side"]), found {shown}'
        )
    core = next(r for r in results if r.side == "core")
    baseline = next(r for r in results if r.side == "baseline")
    try:
        speedup(core.median, baseline.median)
    except ValueError as exc:
        return Comparison(group, results, core=core, baseline=baseline, problem=str(exc))
    return Comparison(group, results, core=core, baseline=baseline)


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_extra(extra: Mapping[str, Any]) -> str:
    parts = []
    for key in sorted(extra):
        value = extra[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown = str(value)
        elif abs(value) >= 1000:
            shown = f"{value:,.0f}"
        else:
            shown = f"{value:.3g}"
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "\n".join(parts)


def render(comparisons: Sequence[Comparison], console: Console) -> None:
    for comparison in comparisons:
        table = Table(title=f"{comparison.group}: {comparison.verdict()}", title_justify="left")
        table.add_column("side")
        table.add_column("test")
        table.add_column("median", justify="right")
        table.add_column("min", justify="right")
        table.add_column("rounds", justify="right")
        table.add_column("extra")
        for result in comparison.results:
            table.add_row(
                result.side or "?", result.name, format_seconds(result.median), format_seconds(result.minimum),
                str(result.rounds), format_extra(result.extra),
            )  # fmt: skip
        console.print(table)

    summary = Table(title="Summary: baseline median / core median", title_justify="left")
    for column in ("group", "core", "baseline", "ratio", "verdict"):
        summary.add_column(column, justify="right" if column in ("core", "baseline", "ratio") else "left")
    for comparison in comparisons:
        ratio = comparison.ratio if comparison.problem is None else None
        summary.add_row(
            comparison.group,
            format_seconds(comparison.core.median) if comparison.core else "-",
            format_seconds(comparison.baseline.median) if comparison.baseline else "-",
            f"{ratio:.2f}" if ratio is not None else "-",
            comparison.verdict(),
        )
    console.print(summary)


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = console or Console(highlight=False)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        out.print(__doc__.strip() if __doc__ else "usage: python -m benchmarks.report [RESULTS.json]", markup=False)
        return 0 if args and args[0] in ("-h", "--help") else 2
    path = Path(args[0]) if args else DEFAULT_RESULTS
    try:
        comparisons = compare(load_results(path))
    except ReportError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {exc}", markup=False)
        return 1
    if not comparisons:
        out.print(f"{path} holds no benchmarks.", markup=False)
        return 1
    render(comparisons, out)
    return 1 if any(c.problem for c in comparisons) else 0


if __name__ == "__main__":
    sys.exit(main())
