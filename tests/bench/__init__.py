"""Tests of the benchmark harness: the household replay and RESULTS.md assembly."""
