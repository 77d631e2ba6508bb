"""The HTTP server: an ASGI application over one shared, read-only store.

:func:`create_app` assembles the SPARQL 1.1 Protocol endpoint (:mod:`qkg.server_protocol`),
the stored-query REST API (:mod:`qkg.server_api`) and the UI and entity pages
(:mod:`qkg.server_pages`), behind a request-size limit, optional CORS, gzip and an access
log. Queries run in a fixed pool of worker threads, never on the event loop, so a slow
query does not hold up other requests, and all of them share the one store.

Queries run in :mod:`qkg.server_runner` (worker threads, deadlines, the answer cache).
``qkg serve`` runs this application in uvicorn worker processes under uvicorn's
supervisor (:func:`app_from_environment`), so a process that dies is replaced.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

#: Longest query text accepted (characters): measured safe with the worker threads'
#: stack (:data:`qkg.server_runner.WORKER_STACK`).
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


@dataclass
class State:
    """What every handler needs: the store, the catalog, the configuration, the pool."""

    backend: object
    catalog: object
    config: ServerConfig
    runner: object  # qkg.server_runner.QueryRunner
    results: object  # qkg.server_runner.ResultCache
    cache: dict = field(default_factory=dict)  # computed once: graph counts, OpenAPI, dumps

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
    from qkg.server_runner import QueryRunner, ResultCache

    config = config or ServerConfig()
    runner = QueryRunner(config.worker_count(), config.queue_limit, kill_after=config.kill_after)
    state = State(backend, catalog, config, runner, ResultCache(config.cache_bytes))
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

    from qkg.paths import PROJECT_ENV, Project
    from qkg.queries import Catalog
    from qkg.store import EmbeddedBackend

    _die_with_parent()
    spec = json.loads(os.environ[CONFIG_ENV])
    config = ServerConfig(**spec["config"])
    # the pages find the source texts through the project, wherever the worker started
    os.environ[PROJECT_ENV] = spec["project"]
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

