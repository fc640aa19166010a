"""Benchmarks (`make bench`): speed and memory targets, printed as tables."""
