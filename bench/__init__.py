"""Benchmarks run by hand (``python -m bench.<name>``); see docs/benchmarks.md."""
