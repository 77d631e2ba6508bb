"""qkg.parallel: queries side by side, results in order, QKG_THREADS honoured."""
from __future__ import annotations

import threading

import pytest

from qkg.parallel import map_threads, workers


def test_results_come_back_in_the_order_of_the_items(monkeypatch):
    monkeypatch.setenv("QKG_THREADS", "3")
    assert map_threads(lambda n: n * n, range(20)) == [n * n for n in range(20)]


def test_the_items_run_in_several_threads(monkeypatch):
    monkeypatch.setenv("QKG_THREADS", "2")
    barrier = threading.Barrier(2, timeout=10)  # both items must be running at once to pass it
    assert map_threads(lambda n: (barrier.wait(), n)[1], [1, 2]) == [1, 2]


def test_one_thread_runs_the_items_in_the_calling_thread(monkeypatch):
    monkeypatch.setenv("QKG_THREADS", "1")
    assert set(map_threads(lambda _: threading.current_thread().name, range(4))) == {threading.current_thread().name}


@pytest.mark.parametrize("raw, expected", [("4", 4), ("1", 1), ("0", None), ("many", None), ("", None)])
def test_workers_reads_qkg_threads_and_falls_back_to_the_cpu_count(monkeypatch, raw, expected):
    import os

    monkeypatch.setenv("QKG_THREADS", raw)
    assert workers() == (expected or os.cpu_count() or 1)


def test_an_exception_propagates(monkeypatch):
    monkeypatch.setenv("QKG_THREADS", "2")

    def fail(n):
        if n == 3:
            raise ValueError("bad item 3")
        return n

    with pytest.raises(ValueError, match="bad item 3"):
        map_threads(fail, range(6))


def test_no_items_no_threads():
    assert map_threads(lambda n: n, []) == []
