"""Running queries: a bounded pool of large-stack worker threads with deadlines and a
watchdog, and the cache of serialized answers.

pyoxigraph cannot cancel a query once it runs. On timeout the request gets its 503 at
once (:class:`qkg.server.QueryTimeout`); work still queued never starts; a streaming
query stops at its next solution (the work checks its deadline); a query busy inside
pyoxigraph (sorting, aggregating, joining) keeps its thread until it ends, and with
``kill_after`` a watchdog ends the whole process, which ``qkg serve``'s supervisor
replaces. A request finding the pool and its queue full is refused with 503 rather
than queued without end.
"""
from __future__ import annotations

import os
import queue
import threading
import time

from qkg.server import Problem, QueryTimeout

#: Stack of each query worker. Oxigraph's parser and evaluator recurse once per level
#: of nesting or per chained operator; 8 MiB (the usual default) overflows near 10,000
#: levels and kills the process. 512 MiB is address space, not memory: only touched
#: pages are used. With :data:`qkg.server.MAX_QUERY_CHARS` no query can go that deep.
WORKER_STACK = 512 * 1024 * 1024


class QueryRunner:
    """A fixed pool of worker threads with large stacks that run queries.

    ``run`` waits for a result at most ``timeout`` seconds. Work is handed a deadline so
    it can stop between solutions; work still queued at its deadline never starts.
    With ``kill_after``, a watchdog calls ``on_overrun`` (by default: ends the process)
    when a query has run that long: the only way to stop a query inside pyoxigraph.
    """

    def __init__(self, workers: int, queue_limit: int, stack: int = WORKER_STACK, kill_after: float = 0.0,
                 on_overrun=None):
        self.workers = workers
        self.limit = workers + queue_limit
        self.stack = stack
        self.kill_after = kill_after
        self.on_overrun = on_overrun or _end_process
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}  # worker thread id → when its query started
        self.in_flight = 0  # queued + running + abandoned-but-running

    def _start(self) -> None:
        with self._lock:
            if self._threads:
                return
            old = threading.stack_size()
            try:
                threading.stack_size(self.stack)
            except (ValueError, RuntimeError):  # a platform that refuses: keep its default
                pass
            try:
                for i in range(self.workers):
                    t = threading.Thread(target=self._work, name=f"qkg-query-{i}", daemon=True)
                    t.start()
                    self._threads.append(t)
            finally:
                threading.stack_size(old)
            if self.kill_after:
                threading.Thread(target=self._watch, name="qkg-watchdog", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(min(1.0, self.kill_after / 4))
            with self._lock:
                oldest = min(self._started.values(), default=None)
            if oldest is not None and time.monotonic() - oldest > self.kill_after:
                self.on_overrun(time.monotonic() - oldest)
                return

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            fn, fut, deadline = item
            try:
                if not fut.set_running_or_notify_cancel():
                    continue
                if time.monotonic() > deadline:
                    fut.set_exception(TimeoutError())
                    continue
                with self._lock:
                    self._started[threading.get_ident()] = time.monotonic()
                try:
                    fut.set_result(fn(deadline))
                except BaseException as exc:  # handed to the waiting request
                    fut.set_exception(exc)
            finally:
                with self._lock:
                    self._started.pop(threading.get_ident(), None)
                    self.in_flight -= 1

    async def run(self, fn, timeout: float):
        """``fn(deadline)`` in a worker; its result, or :class:`QueryTimeout`.

        :raises Problem: 503 when too many queries are in flight.
        """
        import asyncio
        import concurrent.futures

        self._start()
        with self._lock:
            if self.in_flight >= self.limit:
                raise Problem(503, f"the server is busy ({self.in_flight} queries in progress); try again shortly",
                              {"Retry-After": "1"})
            self.in_flight += 1
        fut: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((fn, fut, time.monotonic() + timeout))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            fut.cancel()
            raise QueryTimeout(timeout) from None

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)


def _end_process(seconds: float) -> None:
    """End this worker process at once; its supervisor starts a fresh one."""
    import sys

    print(f"qkg: a query has run for {seconds:.0f} s (past --kill-after); ending worker process {os.getpid()}, "
          "which the supervisor replaces", file=sys.stderr, flush=True)
    os._exit(70)


class ResultCache:
    """Serialized answers by request, least recently used first out, within a byte budget.

    The store is read-only and content-addressed, so an answer never goes stale while
    the server runs. Used from the event loop only (no lock). One answer may take at
    most an eighth of the budget.
    """

    def __init__(self, budget: int):
        from collections import OrderedDict

        self.budget = budget
        self.size = 0
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key, payload) -> None:
        cost = len(payload.body) + 200
        if not self.budget or cost > self.budget // 8 or key in self._items:
            return
        self._items[key] = payload
        self.size += cost
        while self.size > self.budget:
            _, old = self._items.popitem(last=False)
            self.size -= len(old.body) + 200
