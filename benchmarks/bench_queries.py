"""Benchmark the stored queries: start-up of ``qkg query`` and per-query latency.

Prints, without asserting anything:

1. the wall time of a fresh ``qkg query list-events-timeline`` process, with the store
   cache warm (median of 5) and cold (a new empty cache each time, so the run includes
   the build; median of 3);
2. the latency of every stored query (default parameters, bound by value the same way)
   on the embedded pyoxigraph store and on rdflib's SPARQL engine over the same quads
   (an rdflib ``Dataset`` with ``default_union=True``), medians and their ratio.

Usage: ``python benchmarks/bench_queries.py [--quick]`` from the project directory.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QKG = Path(sys.executable).with_name("qkg")


def wall(argv: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def startup(runs_warm: int, runs_cold: int) -> None:
    argv = [str(QKG), "query", "list-events-timeline", "-f", "csv"]
    env = dict(os.environ)
    subprocess.run([str(QKG), "-q", "build"], env=env, check=True, cwd=ROOT)
    warm = [wall(argv, env) for _ in range(runs_warm)]
    cold = []
    for _ in range(runs_cold):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(wall(argv, {**env, "QKG_CACHE_DIR": cache}))
    print("cold process: qkg query list-events-timeline")
    print(f"  warm cache  median {statistics.median(warm):6.3f} s  (runs {', '.join(f'{t:.3f}' for t in warm)})")
    print(f"  cold cache  median {statistics.median(cold):6.3f} s  (runs {', '.join(f'{t:.3f}' for t in cold)})")


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def rdflib_dataset(store):
    """The store's quads in an rdflib Dataset whose default graph is the union."""
    import rdflib
    from pyoxigraph import BlankNode, Literal

    def term(t):
        if isinstance(t, Literal):
            if t.language:
                return rdflib.Literal(t.value, lang=t.language)
            return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
        if isinstance(t, BlankNode):
            return rdflib.BNode(t.value)
        return rdflib.URIRef(t.value)

    dataset = rdflib.Dataset(default_union=True)
    for q in store.quads_for_pattern(None, None, None, None):
        dataset.graph(rdflib.URIRef(q.graph_name.value)).add((term(q.subject), term(q.predicate), term(q.object)))
    return dataset


def latency(runs: int, rdflib_runs: int) -> None:
    from qkg.build import ensure_built
    from qkg.paths import Project
    from qkg.queries import Catalog
    from qkg.sparql_text import bind
    from qkg.store import EmbeddedBackend

    project = Project(ROOT)
    backend = EmbeddedBackend(ensure_built(project))
    started = time.perf_counter()
    dataset = rdflib_dataset(backend.store)
    print(f"\nrdflib Dataset loaded with {len(dataset)} quads in {time.perf_counter() - started:.2f} s")
    print(f"{'query':32} {'rows':>5} {'embedded ms':>12} {'rdflib ms':>10} {'rows':>5} {'ratio':>7}")
    ratios = []
    for query in Catalog.load(project):
        bindings = query.bind({})
        text = bind(query.text, bindings)
        result = backend.query(text)
        rows = len(result.triples) if result.kind == "graph" else len(result.rows)
        embedded = median_ms(lambda: backend.query(text), runs)
        try:
            answer = dataset.query(text)
            rdf_rows = len(list(answer))
            slow = median_ms(lambda: list(dataset.query(text)), rdflib_runs)
            ratios.append(slow / embedded)
            print(f"{query.name:32} {rows:5} {embedded:12.1f} {slow:10.1f} {rdf_rows:5} {slow / embedded:6.1f}x")
        except Exception as exc:  # rdflib rejects or fails on a query: report, keep going
            print(f"{query.name:32} {rows:5} {embedded:12.1f}   rdflib failed: {type(exc).__name__}: {exc}"[:160])
    if ratios:
        print(f"median ratio rdflib/embedded {statistics.median(ratios):.1f}x, smallest {min(ratios):.1f}x: "
              f"embedded is {'faster' if min(ratios) > 1 else 'NOT faster'} on every query rdflib could run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, no cold-cache builds")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.quick:
        startup(3, 1)
        latency(5, 1)
    else:
        startup(5, 3)
        latency(21, 5)


if __name__ == "__main__":
    main()
