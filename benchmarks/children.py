"""Child processes of the scale benchmarks, so each figure has its own process: its own
start-up, its own peak memory, and a timeout the parent can enforce by killing it.

    python benchmarks/children.py MODE ARG...

Each prints ``key value`` lines (flushed as it goes, so a killed child still reports
the phases it finished).
"""
from __future__ import annotations

import json
import os
import signal
import statistics
import sys
import time
from pathlib import Path

sys.setrecursionlimit(10_000)


def say(key: str, value) -> None:
    print(f"{key} {value}", flush=True)


def fast_build(project_dir: str, cache: str, merged: str = "") -> None:
    """The fast build, full (not incremental); ``merged``: ``no`` builds without the
    merged default graph (the default writes it)."""
    os.environ["QKG_CACHE_DIR"] = cache
    from qkg.build import build
    from qkg.paths import Project

    started = time.perf_counter()
    result = build(Project(Path(project_dir)), reasoner="fast", incremental=False, merged=False if merged == "no" else None)
    for phase, seconds in result.timings.items():
        say(phase, f"{seconds:.3f}")
    say("total", f"{time.perf_counter() - started:.3f}")
    say("inferred", result.inferred)
    say("asserted", sum(result.graphs.values()))
    say("modules", ",".join(m for m in ("rdflib", "owlrl", "pyshacl") if m in sys.modules) or "none")


def owlrl_build(project_dir: str, cache: str) -> None:
    """The reference build, phase by phase: rdflib parse, owlrl closure with the rules, store."""
    from qkg.build import reason, write_store
    from qkg.derive import load_rules
    from qkg.graph import load_inputs
    from qkg.paths import Project

    project = Project(Path(project_dir))
    started = time.perf_counter()
    inputs = load_inputs(project)
    say("parse", f"{time.perf_counter() - started:.3f}")
    clock = time.perf_counter()
    inferred, _ = reason(inputs, "owlrl", load_rules(project.rule_files))
    say("reason", f"{time.perf_counter() - clock:.3f}")
    clock = time.perf_counter()
    write_store(Path(cache) / "owlrl-store", inputs.graphs, inferred)
    say("store", f"{time.perf_counter() - clock:.3f}")
    say("total", f"{time.perf_counter() - started:.3f}")
    say("inferred", len(inferred))


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def rdflib_queries(store_path: str, queries_json: str, timeout: str, runs: str) -> None:
    """rdflib's SPARQL engine over the store's quads (a Dataset whose default graph is the
    union), each query with a timeout."""
    import pyoxigraph as ox
    import rdflib

    from qkg.fastvalidate import TermConverter

    started = time.perf_counter()
    convert = TermConverter()
    dataset = rdflib.Dataset(default_union=True)
    graphs: dict = {}
    store = ox.Store.read_only(store_path)
    for q in (q for name in store.named_graphs() for q in store.quads_for_pattern(None, None, None, name)):
        g = graphs.get(q.graph_name)
        if g is None:
            g = graphs[q.graph_name] = dataset.graph(rdflib.URIRef(q.graph_name.value))
        g.add((convert(q.subject), convert(q.predicate), convert(q.object)))
    say("load", f"{time.perf_counter() - started:.3f}")
    signal.signal(signal.SIGALRM, _alarm)
    for name, text in json.loads(Path(queries_json).read_text()):
        times, rows, spent = [], None, 0.0
        try:
            while len(times) < int(runs) and (not times or spent < 3):
                signal.setitimer(signal.ITIMER_REAL, float(timeout))
                clock = time.perf_counter()
                rows = len(list(dataset.query(text)))
                times.append(time.perf_counter() - clock)
                spent += times[-1]
                signal.setitimer(signal.ITIMER_REAL, 0)
            say("query", f"{name} {statistics.median(times) * 1000:.1f} {rows}")
        except Timeout:
            say("query", f"{name} timeout -")
        except Exception as exc:  # rdflib rejects a query: report and go on
            signal.setitimer(signal.ITIMER_REAL, 0)
            say("query", f"{name} error {type(exc).__name__}")


def embedded_query(store_path: str, text_file: str, runs: str, budget: str, graph: str = "store") -> None:
    """One stored query on the embedded store, repeated up to ``runs`` times or until
    ``budget`` seconds are spent; prints the median. ``graph``: ``store`` runs it as
    ``qkg query`` does (the store's merged default graph), ``union`` with pyoxigraph's
    union mode instead (a triple once per named graph that states it)."""
    import pyoxigraph as ox

    from qkg.store import EmbeddedBackend

    backend = EmbeddedBackend(store_path)
    text = Path(text_file).read_text(encoding="utf-8")

    def run():
        if graph == "store":
            result = backend.query(text)
            return len(result.triples) if result.kind == "graph" else len(result.rows)
        raw = backend.store.query(text, use_default_graph_as_union=True)
        if isinstance(raw, ox.QuerySolutions):
            names = [v.value for v in raw.variables]
            return len([tuple(sol[v] for v in names) for sol in raw])
        return len(list(raw)) if not isinstance(raw, ox.QueryBoolean) else 1

    times, spent, rows = [], 0.0, 0
    while len(times) < int(runs) and (not times or spent < float(budget)):
        clock = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - clock)
        spent += times[-1]
    say("ms", f"{statistics.median(times) * 1000:.2f}")
    say("runs", len(times))
    say("rows", rows)


def pyshacl_rdfs(project_dir: str) -> None:
    """The reference validation: rdflib parse, pyshacl with RDFS inference and the ontology."""
    from qkg.graph import load_inputs
    from qkg.paths import Project
    from qkg.shacl import load_shapes, run_shacl
    from qkg.validate import prepared_sparql

    project = Project(Path(project_dir))
    started = time.perf_counter()
    inputs = load_inputs(project)
    shapes = load_shapes(project.shape_files)
    say("parse", f"{time.perf_counter() - started:.3f}")
    clock = time.perf_counter()
    with prepared_sparql():
        results = run_shacl(inputs.merged(), shapes, inputs.graphs["https://w3id.org/qkg/graph/ontology"], "rdfs")
    say("validate", f"{time.perf_counter() - clock:.3f}")
    say("total", f"{time.perf_counter() - started:.3f}")
    say("results", len(results))


def shacl_store(store_path: str, project_dir: str, graph: str = "") -> None:
    """qkg's validation of the built closure (:func:`qkg.fastvalidate.shacl_on_store`)."""
    from qkg.fastvalidate import shacl_on_store
    from qkg.paths import Project
    from qkg.shacl import load_shapes

    started = time.perf_counter()
    shapes = load_shapes(Project(Path(project_dir)).shape_files)
    results = shacl_on_store(store_path, shapes, graphs=[graph] if graph else None)
    say("total", f"{time.perf_counter() - started:.3f}")
    say("results", len(results))


def validate(project_dir: str, cache: str) -> None:
    """``qkg validate`` of the whole project (what the CLI runs), stage by stage, on the
    build's store in ``cache`` (built first when missing or stale: then ``load`` holds
    the build)."""
    os.environ["QKG_CACHE_DIR"] = cache
    from qkg.paths import Project
    from qkg.validate import validate_project

    started = time.perf_counter()
    report = validate_project(Project(Path(project_dir)))
    for stage, seconds in report.timings.items():
        say(stage, f"{seconds:.3f}")
    say("total", f"{time.perf_counter() - started:.3f}")
    say("findings", len(report.findings))
    say("modules", ",".join(m for m in ("rdflib", "owlrl", "pyshacl") if m in sys.modules) or "none")


def cold_query(project_dir: str, name: str, params_json: str) -> None:
    """What ``qkg query NAME -p …`` does, on the fast build's store (for when the CLI's
    default reasoner is not the fast one)."""
    from qkg.build import ensure_built
    from qkg.paths import Project
    from qkg.queries import Catalog
    from qkg.results import default_format, render
    from qkg.store import EmbeddedBackend

    project = Project(Path(project_dir))
    query = Catalog.load(project).get(name)
    result = EmbeddedBackend(ensure_built(project)).query(query.text, query.bind(json.loads(params_json)))
    sys.stdout.write(render(result, default_format(result)))


MODES = {"embedded-query": embedded_query, "fast-build": fast_build, "owlrl-build": owlrl_build, "rdflib-queries": rdflib_queries,
         "pyshacl-rdfs": pyshacl_rdfs, "shacl-store": shacl_store, "cold-query": cold_query,
         "validate": validate}

def _vmhwm() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    try:
        MODES[sys.argv[1]](*sys.argv[2:])
    finally:
        say("vmhwm", f"{_vmhwm():.1f}")
