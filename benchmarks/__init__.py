"""Benchmarks (pytest-benchmark suites, core vs baseline side by side) and their report."""
