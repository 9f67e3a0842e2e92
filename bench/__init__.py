"""Benchmark scripts (see bench/README.md); results go to BENCHMARKS.md."""
