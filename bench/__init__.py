"""Benchmarks: islo_jupyter against the official SDK and the raw floors, interleaved in one run."""
