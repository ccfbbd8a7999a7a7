"""Optimization-quality benchmarks: amtune against its peers in one harness (see README.md)."""

from benchmarks._threads import limit_threads

limit_threads()
