"""Load-test ``qkg serve`` on loopback, side by side with the Oxigraph server.

Starts ``qkg serve`` and ``oxigraph serve`` (the same quads, loaded with ``oxigraph
load``, ``--union-default-graph``) on free 127.0.0.1 ports, checks that both give the
same rows for every request, then sends each the same load: N concurrent clients
(threads with keep-alive connections) and R requests cycling through every stored
query and the parameter cases of ``tests/query_cases.json``, bound by value as the CLI
binds them. Four runs:

* ``qkg /api``         ``GET /api/queries/NAME?params`` (the stored-query API), no cache
* ``qkg /sparql``      ``POST /sparql`` (form: ``query=<bound text>``), no cache
* ``oxigraph``         ``POST /query`` (the same form)
* ``qkg /api +cache``  as the first, with the answer cache on (the default of ``qkg
  serve``): after the warm-up every request is a repeat

Prints errors (any status but 200, or a dropped connection), throughput, p50, p99 and
max latency, and the ratio to Oxigraph. Nothing is asserted; the targets are >= 500
req/s, p99 <= 50 ms and throughput within 2x of Oxigraph's. The load generator runs on
the same machine and takes CPU from both servers alike.

Usage: ``python benchmarks/bench_serve.py [--clients 20] [--requests 2000] [--processes 2]``
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(conn: http.client.HTTPConnection, path: str, accept: str, form: bytes | None = None) -> tuple[int, bytes]:
    """GET ``path``, or POST ``form`` (form-encoded) to it."""
    if form is None:
        conn.request("GET", path, headers={"Accept": accept})
    else:
        conn.request("POST", path, body=form, headers={"Accept": accept,
                                                       "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    return response.status, response.read()


def wait_ready(port: int, path: str, proc: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            sys.exit(f"{name} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            if get(conn, path, "*/*")[0] == 200:
                conn.close()
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            sys.exit(f"{name} did not answer within {START_TIMEOUT} s")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def requests_of(project) -> list[tuple[str, str, str]]:
    """``(label, api path, bound query text)`` for every stored query and case."""
    from qkg.queries import Catalog
    from qkg.sparql_text import bind

    catalog = Catalog.load(project)
    cases = [(q.name, {}) for q in catalog]
    cases += [(c["query"], c["params"])
              for c in json.loads((ROOT / "tests" / "query_cases.json").read_text(encoding="utf-8"))]
    out = []
    for name, params in cases:
        query = catalog.get(name)
        bindings = query.bind(params)
        text = bind(query.text, bindings)
        path = f"/api/queries/{name}" + ("?" + urllib.parse.urlencode(params) if params else "")
        out.append((name, path, text))
    return out


def accept_of(text: str) -> str:
    from qkg.sparql_text import query_form

    return "text/turtle" if query_form(text) == "graph" else "application/sparql-results+json"


def same_answer(a: bytes, b: bytes, accept: str) -> bool:
    import pyoxigraph as ox

    if accept == "text/turtle":
        def triples(data):
            return sorted(str(q.triple) for q in ox.parse(data, format=ox.RdfFormat.TURTLE))
        return triples(a) == triples(b)
    ra = ox.parse_query_results(a, format=ox.QueryResultsFormat.JSON)
    rb = ox.parse_query_results(b, format=ox.QueryResultsFormat.JSON)
    if isinstance(ra, ox.QueryBoolean):
        return bool(ra) == bool(rb)

    def rows(r):  # GROUP_CONCAT order is open: compare the parts of each cell
        return sorted(tuple(" | ".join(sorted(str(t).split(" | "))) for t in row) for row in r)
    return rows(ra) == rows(rb)


def load(port: int, paths: list[tuple], clients: int, total: int) -> dict:
    """``total`` requests from ``clients`` threads, each on one keep-alive connection."""
    lock = threading.Lock()
    counter = {"next": 0}
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while True:
            with lock:
                i = counter["next"]
                counter["next"] += 1
            if i >= total:
                break
            path, accept, form = paths[i % len(paths)]
            started = time.perf_counter()
            try:
                status, body = get(conn, path, accept, form)
                if status != 200 or not body:
                    errors.append(f"{status} {path[:80]}")
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__} {path[:80]}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50": statistics.median(latencies) * 1000, "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "max": latencies[-1] * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default: 20)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per run (default: 2000)")
    parser.add_argument("--processes", type=int, default=2, help="qkg serve worker processes (default: 2)")
    args = parser.parse_args()

    from qkg.build import ensure_built
    from qkg.paths import Project
    from qkg.store import EmbeddedBackend

    project = Project(ROOT)
    store = ensure_built(project)
    specs = requests_of(project)
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "qkg.nq"
        import pyoxigraph as ox

        EmbeddedBackend(store).store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", f"{tmp}/ox", "--file", str(dump)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        qkg_port, cached_port, ox_port = free_port(), free_port(), free_port()
        try:
            for port, cache in ((qkg_port, "0"), (cached_port, "64")):
                procs.append(subprocess.Popen(
                    [str(BIN / "qkg"), "-q", "serve", "--port", str(port), "--no-access-log", "--cache-mb", cache,
                     "--processes", str(args.processes)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            procs.append(subprocess.Popen(
                [str(BIN / "oxigraph"), "serve", "--location", f"{tmp}/ox", "--bind", f"127.0.0.1:{ox_port}",
                 "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_ready(qkg_port, "/sparql?query=ASK%7B%7D", procs[0], "qkg serve")
            wait_ready(cached_port, "/sparql?query=ASK%7B%7D", procs[1], "qkg serve")
            wait_ready(ox_port, "/query?query=ASK%7B%7D", procs[2], "oxigraph serve")
            # the query texts are POSTed: Oxigraph refuses request heads over 8 KiB
            def form(text: str) -> bytes:
                return urllib.parse.urlencode({"query": text}).encode()

            runs = {
                "qkg /api": (qkg_port, [(p, accept_of(t), None) for _, p, t in specs]),
                "qkg /sparql": (qkg_port, [("/sparql", accept_of(t), form(t)) for _, _, t in specs]),
                "oxigraph": (ox_port, [("/query", accept_of(t), form(t)) for _, _, t in specs]),
                "qkg /api +cache": (cached_port, [(p, accept_of(t), None) for _, p, t in specs]),
            }
            agree = 0
            for i, (name, _, text) in enumerate(specs):
                answers = []
                for label, (port, paths) in list(runs.items())[:3]:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status, body = get(conn, *paths[i])
                    conn.close()
                    if status != 200:
                        print(f"  {label} answered {status} to {name}: {body[:200]!r}")
                    answers.append(body if status == 200 else None)
                ok = None not in answers and all(same_answer(answers[0], other, accept_of(text))
                                                 for other in answers[1:])
                agree += ok
                if not ok:
                    print(f"  results differ: {name}")
            print(f"{len(specs)} distinct requests (stored queries and cases); same results on all three: "
                  f"{agree}/{len(specs)}")
            print(f"load: {args.clients} concurrent clients, {args.requests} requests per run, "
                  f"qkg serve with {args.processes} worker processes, {os.cpu_count()} CPU cores shared")
            results = {}
            for label, (port, paths) in runs.items():
                load(port, paths, args.clients, min(100, args.requests))  # warm-up, not counted
                results[label] = load(port, paths, args.clients, args.requests)
        finally:
            for proc in procs:
                stop(proc)
    print(f"{'':16} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'vs oxigraph':>11}")
    base = results["oxigraph"]["rps"]
    for label, r in results.items():
        print(f"{label:16} {r['requests']:8d} {len(r['errors']):6d} {r['rps']:8.0f} {r['p50']:7.1f} "
              f"{r['p99']:7.1f} {r['max']:7.1f} {r['rps'] / base:10.2f}x")
    for label, r in results.items():
        for line in sorted(set(r["errors"]))[:5]:
            print(f"  {label} error: {line}")
    print("targets (not asserted): >= 500 req/s, p99 <= 50 ms, throughput >= 0.5x Oxigraph's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
