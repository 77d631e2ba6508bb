"""Queries side by side: pyoxigraph releases the GIL while it evaluates a query, so
independent read-only queries on one store run in parallel threads (measured at 1M
triples on 2 cores: four scans in 2.8 s instead of 5.3 s).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable


def workers() -> int:
    """Threads to use: ``QKG_THREADS`` if set (1 runs everything in order), else the CPU count."""
    raw = os.environ.get("QKG_THREADS", "")
    if raw.strip().isdigit() and int(raw) > 0:
        return int(raw)
    return os.cpu_count() or 1


def map_threads(fn: Callable, items: Iterable) -> list:
    """``[fn(item) for item in items]``, computed by up to :func:`workers` threads, in order.

    An exception raised by ``fn`` propagates as it would from the loop (the first
    item's first); catch inside ``fn`` what should not stop the others.
    """
    items = list(items)
    n = min(workers(), len(items))
    if n <= 1:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="qkg-query") as pool:
        return list(pool.map(fn, items))
