"""Benchmarks: `bench/run` runs them all and rewrites bench/RESULTS.md."""
