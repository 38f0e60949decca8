"""Benchmarks: run with `make bench` (never part of `make test`).

Each ``bench_*.py`` module exposes ``run(quick=False) -> pandas.DataFrame`` and prints its own table.
"""
