"""The HTTP server: an ASGI application over one shared, read-only store.

:func:`create_app` assembles the SPARQL 1.1 Protocol endpoint (:mod:`qkg.server_protocol`),
the stored-query REST API (:mod:`qkg.server_api`) and the UI and entity pages
(:mod:`qkg.server_pages`), behind a request-size limit, optional CORS, gzip and an access
log. Queries run in a fixed pool of worker threads (:class:`QueryRunner`), so a slow
query never blocks the event loop and concurrent requests share the store.

pyoxigraph cannot cancel a query once it runs: on timeout the request gets a 503 at
once, a streaming query stops at its next solution, and a query busy inside pyoxigraph
(sorting, aggregating, joining) finishes in its worker, which is then lost to others
until it does. The pool is bounded, and a request finding too many queries in flight is
refused with 503 rather than queued without end.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass, field

#: Stack of each query worker. Oxigraph's parser and evaluator recurse once per level
#: of nesting or per chained operator; 8 MiB (the usual default) overflows near 10,000
#: levels and kills the process. 512 MiB is address space, not memory: only touched
#: pages are used. With :data:`MAX_QUERY_CHARS` no query can go that deep.
WORKER_STACK = 512 * 1024 * 1024
#: Longest query text accepted (characters): measured safe with :data:`WORKER_STACK`.
MAX_QUERY_CHARS = 128 * 1024
#: Deepest nesting of ``{``, ``(`` and ``[`` accepted.
MAX_DEPTH = 100


@dataclass
class ServerConfig:
    """How the server runs; the defaults are those of ``qkg serve``.

    :param timeout: seconds a query may run before the request gets a 503.
    :param max_rows: solutions (or triples) returned at most; more are cut off and the
        response says so in ``X-Qkg-Truncated: true``. 0: no limit.
    :param max_request_bytes: largest request body (and query string); more gets a 413.
    :param cors: origins allowed to call the server from a browser (``*`` for any).
    :param endpoint_only: serve ``/sparql`` only (no UI, API or pages).
    :param workers: query worker threads; ``queue_limit`` more may wait for one.
    :param cache_bytes: memory for answers kept for repeated requests (0: none).
    :param kill_after: end the whole process when a query still runs after this many
        seconds (0: never); only for a process a supervisor restarts (``qkg serve``).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 30.0
    max_rows: int = 10_000
    max_request_bytes: int = 1024 * 1024
    cors: list[str] = field(default_factory=list)
    endpoint_only: bool = False
    access_log: bool = True
    workers: int = 0  # 0: cores + 2, at least 4
    queue_limit: int = 64
    cache_bytes: int = 64 * 1024 * 1024
    kill_after: float = 0.0

    def worker_count(self) -> int:
        return self.workers or max(4, (os.cpu_count() or 1) + 2)


class Problem(Exception):
    """An HTTP error answer: a status and a one-line message."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class QueryTimeout(Problem):
    def __init__(self, seconds: float):
        super().__init__(503, f"the query did not finish within {seconds:g} s (the server's --timeout); "
                              "narrow it down or add a LIMIT", {"Retry-After": "1"})


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


@dataclass
class State:
    """What every handler needs: the store, the catalog, the configuration, the pool."""

    backend: object
    catalog: object
    config: ServerConfig
    runner: QueryRunner
    cache: dict = field(default_factory=dict)  # computed once: graph counts, OpenAPI, dumps
    results: ResultCache = field(default_factory=lambda: ResultCache(0))

    @property
    def store(self):
        return self.backend.store


def error_response(status: int, message: str, headers: dict | None = None, as_json: bool = False):
    """A one-line error answer: ``text/plain`` (or a JSON object for the API)."""
    from starlette.responses import JSONResponse, PlainTextResponse

    if as_json:
        return JSONResponse({"status": status, "error": message}, status_code=status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


class AccessLog:
    """ASGI middleware writing one line per request to the ``qkg.access`` logger:
    client, method, path and query (cut at 200 characters), status, bytes, milliseconds."""

    def __init__(self, app):
        import logging

        self.app = app
        self.log = logging.getLogger("qkg.access")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        seen = {"status": 0, "bytes": 0}

        async def sending(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            target = scope.get("path", "")
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            if len(target) > 200:
                target = target[:197] + "..."
            client = scope.get("client") or ("-", 0)
            self.log.info('%s "%s %s" %d %d %.1fms', client[0], scope.get("method"), target.encode("unicode_escape").decode("ascii"),
                          seen["status"], seen["bytes"], (time.perf_counter() - started) * 1000)


def create_app(backend, catalog=None, config: ServerConfig | None = None):
    """The ASGI application serving ``backend`` (an :class:`qkg.store.EmbeddedBackend`).

    :param catalog: the stored queries (:class:`qkg.queries.Catalog`); None: no API.
    :param config: limits and options; default :class:`ServerConfig`.
    """
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware

    from qkg import server_protocol

    config = config or ServerConfig()
    runner = QueryRunner(config.worker_count(), config.queue_limit, kill_after=config.kill_after)
    state = State(backend, catalog, config, runner, results=ResultCache(config.cache_bytes))
    routes = server_protocol.routes(state)
    if not config.endpoint_only:
        from qkg import server_api, server_pages

        if catalog is not None:
            routes += server_api.routes(state)
        routes += server_pages.routes(state)
    middleware = []
    if config.access_log:
        middleware.append(Middleware(AccessLog))
    if config.cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(CORSMiddleware, allow_origins=config.cors, allow_methods=["GET", "POST", "HEAD"],
                                     allow_headers=["Accept", "Content-Type"],
                                     expose_headers=["X-Qkg-Truncated", "X-Qkg-Row-Limit", "X-Qkg-Cache"], max_age=600))
    middleware.append(Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6))

    def on_problem(request, exc: Problem):
        return error_response(exc.status, exc.message, exc.headers, request.url.path.startswith("/api/"))

    def on_http(request, exc):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 413:
            message = (f"the request is longer than {config.max_request_bytes} bytes (the server's "
                       "--max-request-bytes)")
        return error_response(exc.status_code, message, getattr(exc, "headers", None),
                              request.url.path.startswith("/api/"))

    from starlette.exceptions import HTTPException

    import contextlib

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        state.runner.close()

    # Starlette's own limit answers 413 for a long body (before reading it when the
    # Content-Length says so, else as soon as the count passes the limit)
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan, max_body_size=config.max_request_bytes,
                    exception_handlers={Problem: on_problem, HTTPException: on_http})
    app.state.qkg = state
    return app


#: Environment variable carrying the serve configuration to uvicorn's worker processes.
CONFIG_ENV = "QKG_SERVE_CONFIG"


def app_from_environment():
    """The application of a worker process started by ``qkg serve`` (uvicorn factory).

    ``$QKG_SERVE_CONFIG`` holds JSON: the store path, the project root and the
    :class:`ServerConfig` fields. The worker asks Linux to end it with its supervisor.
    """
    import json
    import logging
    import sys
    from pathlib import Path

    from qkg.paths import Project
    from qkg.queries import Catalog
    from qkg.store import EmbeddedBackend

    _die_with_parent()
    spec = json.loads(os.environ[CONFIG_ENV])
    config = ServerConfig(**spec["config"])
    if config.access_log:
        access = logging.getLogger("qkg.access")
        if not access.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(message)s"))
            access.addHandler(handler)
            access.setLevel(logging.INFO)
            access.propagate = False
    catalog = None if config.endpoint_only else Catalog.load(Project(Path(spec["project"])))
    return create_app(EmbeddedBackend(spec["store"]), catalog, config)


def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG: a worker outliving a killed supervisor would hold the port."""
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

