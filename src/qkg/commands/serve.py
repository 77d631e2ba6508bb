"""``qkg serve``: the SPARQL endpoint, the query UI, the stored-query API and the
entity pages over HTTP (uvicorn running :func:`qkg.server.create_app`)."""
from __future__ import annotations

import argparse

from qkg.cli import log_fn, project_of
from qkg.errors import UsageError

EPILOG_URLS = """URLs (see docs/serve.md):
  /                       query UI (YASGUI) with the stored queries as examples
  /sparql                 SPARQL 1.1 Protocol endpoint (read-only)
  /api/queries[/NAME]     stored queries as a REST API; /api/ documents it (OpenAPI)
  /id/..., /ontology      entity pages; Turtle, JSON-LD, N-Triples by Accept"""


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
        return value
    return parse


def configure(p) -> None:
    p.epilog = EPILOG_URLS + "\n\n" + (p.epilog or "")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default: 127.0.0.1, this machine only; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000; 0 picks a free one)")
    p.add_argument("--timeout", type=_positive(float), default=30.0, metavar="SECONDS",
                   help="answer 503 to a query still running after SECONDS (default: 30). pyoxigraph cannot "
                        "cancel a running query: it finishes in its worker thread, which the pool bounds")
    p.add_argument("--kill-after", type=_positive(float), default=120.0, metavar="SECONDS",
                   help="end a worker process whose query still runs after SECONDS, so it stops using a core; "
                        "the supervisor starts a fresh one, and the process's other requests fail "
                        "(default: 120; 0: never)")
    p.add_argument("--max-rows", type=_positive(int), default=10_000, metavar="N",
                   help="return at most N solutions or triples, marking a cut result with the header "
                        "X-Qkg-Truncated: true (default: 10000; 0: no limit)")
    p.add_argument("--max-request-bytes", type=_positive(int), default=1024 * 1024, metavar="N",
                   help="refuse a request body or query string longer than N bytes with 413 (default: 1048576)")
    p.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                   help="let web pages from ORIGIN call the server (repeat for several; '*' for any)")
    p.add_argument("--endpoint-only", action="store_true",
                   help="serve /sparql only: no UI, stored-query API or pages")
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True,
                   help="log one line per request to stderr (default: on)")
    p.add_argument("--processes", type=int, default=2, metavar="N",
                   help="worker processes sharing the port (default: 2). A worker that dies (a crash "
                        "inside pyoxigraph) or hangs is replaced while the others keep serving")
    p.add_argument("--workers", type=_positive(int), default=0, metavar="N",
                   help="query threads per process (default: number of cores + 2, at least 4)")
    p.add_argument("--cache-mb", type=_positive(int), default=64, metavar="N",
                   help="memory per process for answers to repeated requests, served without running the "
                        "query again (default: 64; 0: off). The store is read-only, so answers never go stale")
    p.add_argument("--reasoner", choices=("fast", "owlrl"), default=None,
                   help="reasoner used if the store must be built first (default: that of 'qkg build')")


def run(args) -> int:
    import dataclasses
    import json
    import logging
    import os
    import sys

    from qkg.build import ensure_built
    from qkg.server import CONFIG_ENV, ServerConfig

    try:
        import starlette  # noqa: F401
        import uvicorn
        from uvicorn.config import STARTUP_FAILURE
        from uvicorn.supervisors import Multiprocess
    except ImportError:
        raise UsageError("the server needs starlette and uvicorn: pip install 'qkg[serve]'", "serve") from None
    if not 0 <= args.port <= 65535:
        raise UsageError(f"expected a port from 0 to 65535, got {args.port}", "--port")
    if args.processes < 1:
        raise UsageError("expected at least 1 process", "--processes")
    project = project_of(args)
    log = log_fn(args)
    store = ensure_built(project, reasoner=args.reasoner, log=log)
    if not args.endpoint_only:
        from qkg.queries import Catalog

        Catalog.load(project)  # a broken query file is reported here, once, not by each worker
    config = ServerConfig(host=args.host, port=args.port, timeout=args.timeout, max_rows=args.max_rows,
                          max_request_bytes=args.max_request_bytes, cors=list(args.cors),
                          endpoint_only=args.endpoint_only, access_log=args.access_log and not args.quiet,
                          workers=args.workers, cache_bytes=args.cache_mb * 1024 * 1024,
                          kill_after=args.kill_after)
    os.environ[CONFIG_ENV] = json.dumps({"store": str(store), "project": str(project.root),
                                         "config": dataclasses.asdict(config)})
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    log(f"serving {project.relative(store)} at http://{shown}:{port}/ (SPARQL endpoint http://{shown}:{port}/sparql) "
        f"with {args.processes} worker process{'es' if args.processes > 1 else ''}; Ctrl-C stops")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="qkg: %(message)s")
    uv = uvicorn.Config("qkg.server:app_from_environment", factory=True, workers=args.processes,
                        access_log=False, log_level="warning", timeout_graceful_shutdown=5, server_header=False)
    # uvicorn's supervisor even for one process: it restarts a worker that dies (a
    # native crash in pyoxigraph cannot be caught in-process) or stops answering
    supervisor = Multiprocess(uv, sockets=[sock])
    supervisor.run()
    if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        raise UsageError("a worker process could not start (its error is above)", "serve")
    return 0



def bind(host: str, port: int):
    """A listening socket on ``host:port`` (port 0: a free one), shared by the workers.

    :raises UsageError: the address cannot be bound (in use, not local, no permission).
    """
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve {host!r}: {exc.strerror}", "--host") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                         "choose another --port or --host", "--port") from None
    sock.set_inheritable(True)
    return sock
