"""Benchmarks run on demand: ``pytest benchmarks/bench_ask.py --benchmark-enable``.

Threads are capped before numpy/torch load so peers do not oversubscribe the machine.
"""

from benchmarks._threads import limit_threads

limit_threads()
