"""The benchmark report: ratios from a small synthetic pytest-benchmark JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from benchmarks import report


def entry(name: str, group: str | None, side: str | None, median: float, **extra: Any) -> dict[str, Any]:
    info = dict(extra)
    if side is not None:
        info["side"] = side
    return {
        "name": name,
        "group": group,
        "extra_info": info,
        "stats": {"min": median * 0.9, "max": median * 2, "mean": median * 1.1, "median": median, "rounds": 7},
    }


def write(tmp_path: Path, benchmarks: list[dict[str, Any]]) -> Path:
    path = tmp_path / "latest.json"
    path.write_text(json.dumps({"machine_info": {}, "benchmarks": benchmarks, "version": "5.0"}))
    return path


SYNTHETIC = [
    entry("test_smt_core", "smt_update", "core", 0.002, updates_per_second=500_000.0),
    entry("test_smt_python", "smt_update", "baseline", 0.008, updates_per_second=125_000.0),
    entry("test_hash_core", "hash", "core", 4e-6),
    entry("test_hash_baseline", "hash", "baseline", 2e-6),
]


def test_ratio_is_baseline_over_core(tmp_path: Path) -> None:
    comparisons = {c.group: c for c in report.compare(report.load_results(write(tmp_path, SYNTHETIC)))}
    assert list(comparisons) == ["hash", "smt_update"]  # sorted
    smt = comparisons["smt_update"]
    assert smt.ratio == pytest.approx(4.0)
    assert smt.verdict() == "core is 4.0x faster"
    assert smt.core is not None and smt.core.extra == {"updates_per_second": 500_000.0}
    hashing = comparisons["hash"]
    assert hashing.ratio == pytest.approx(0.5)
    assert hashing.verdict() == "core is 2.0x slower"


@pytest.mark.parametrize(
    ("core", "baseline", "text"),
    [(1.0, 3.04, "core is 3.0x faster"), (2.0, 1.0, "core is 2.0x slower"), (1.0, 1.02, "core and baseline are about as fast")],
)
def test_speedup_and_wording(core: float, baseline: float, text: str) -> None:
    assert report.describe_ratio(report.speedup(core, baseline)) == text


@pytest.mark.parametrize(("core", "baseline"), [(0.0, 1.0), (1.0, -1.0), (float("nan"), 1.0), (1.0, float("inf"))])
def test_speedup_refuses_meaningless_medians(core: float, baseline: float) -> None:
    with pytest.raises(ValueError, match="positive and finite"):
        report.speedup(core, baseline)


def test_incomplete_groups_are_reported_not_compared(tmp_path: Path) -> None:
    benchmarks = [
        entry("test_a", "lonely", "core", 1.0),
        entry("test_b", "twins", "core", 1.0),
        entry("test_c", "twins", "core", 2.0),
        entry("test_d", "unlabelled", None, 1.0),
        entry("test_e", "unlabelled", "baseline", 1.0),
        entry("test_f", None, "core", 1.0),
    ]
    comparisons = {c.group: c for c in report.compare(report.load_results(write(tmp_path, benchmarks)))}
    for group in ("lonely", "twins", "unlabelled"):
        assert 'exactly one "core" and one "baseline"' in (comparisons[group].problem or "")
    assert "no benchmark group" in (comparisons[report.NO_GROUP].problem or "")


def test_main_prints_tables_and_ratios(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    assert report.main([str(write(tmp_path, SYNTHETIC))], console=console) == 0
    text = console.export_text()
    assert "smt_update: core is 4.0x faster" in text
    assert "hash: core is 2.0x slower" in text
    assert "updates per second: 500,000" in text
    assert "4.00" in text and "2 ms" in text and "8 ms" in text


def test_main_fails_on_an_incomplete_group(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    path = write(tmp_path, [*SYNTHETIC, entry("test_x", "lonely", "core", 1.0)])
    assert report.main([str(path)], console=console) == 1
    assert "lonely: not compared" in console.export_text()


def test_missing_or_broken_results_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert report.main([]) == 1
    err = capsys.readouterr().err
    assert "no benchmark results at .benchmarks/latest.json" in err and "make bench" in err

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert report.main([str(broken)]) == 1
    assert "is not a pytest-benchmark JSON file" in capsys.readouterr().err

    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text(json.dumps({"benchmarks": [{"name": "x"}]}))
    assert report.main([str(wrong_shape)]) == 1
    assert "KeyError" in capsys.readouterr().err


def test_format_helpers() -> None:
    assert report.format_seconds(2.5) == "2.5 s"
    assert report.format_seconds(0.0123) == "12.3 ms"
    assert report.format_seconds(4e-6) == "4 µs"
    assert report.format_seconds(5e-8) == "50 ns"
    assert report.format_extra({"updates_per_second": 1234567.8, "batch": 64, "mode": "fast"}) == (
        "batch: 64\nmode: fast\nupdates per second: 1,234,568"
    )


def test_a_group_of_absolute_figures_is_shown_not_failed(tmp_path: Path) -> None:
    path = write(tmp_path, [*SYNTHETIC, entry("test_node", "node", "absolute", 0.5, transfers_per_second=2000.0)])
    comparisons = {c.group: c for c in report.compare(report.load_results(path))}
    node = comparisons["node"]
    assert node.problem is None and node.ratio is None
    assert node.verdict().startswith("absolute figures")
    console = Console(record=True, width=200)
    assert report.main([str(path)], console=console) == 0
    text = console.export_text()
    assert "absolute figures" in text and "2,000" in text
