"""Benchmarks: figures precomputed when extracts land, served as each reader's policies allow."""
