"""The scale benchmarks, one function per section of issue 6; each returns figures
(qkg and its baseline, measured in the same run) for ``run.py`` to print."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import time
from pathlib import Path

from measure import PYTHON, ROOT, Figure, child

CHILDREN = str(Path(__file__).with_name("children.py"))
OXIGRAPH = Path(PYTHON).with_name("oxigraph")
QKG = Path(PYTHON).with_name("qkg")


def per_million(triples: int) -> float:
    return triples / 1_000_000


def build(cfg) -> list[Figure]:
    """Full fast build (median) against the owlrl reference build (one run, timeout)."""
    runs = []
    for i in range(cfg.repeat):
        cache = cfg.work / f"cache-build-{i}"
        shutil.rmtree(cache, ignore_errors=True)
        runs.append(child([PYTHON, CHILDREN, "fast-build", str(cfg.project), str(cache)]))
    fast = sorted(runs, key=lambda c: c.seconds)[len(runs) // 2]
    ref = child([PYTHON, CHILDREN, "owlrl-build", str(cfg.project), str(cfg.work / "cache-owlrl")],
                timeout=cfg.baseline_timeout)
    shutil.rmtree(cfg.work / "cache-owlrl", ignore_errors=True)
    cfg.store = next(cfg.work.glob("cache-build-0/stores/*/manifest.json")).parent
    cfg.asserted = int(fast.value("asserted"))
    big = cfg.triples >= 1_000_000
    out = [Figure("build", f"build {cfg.label}: parse, closure, store", fast.seconds, "s",
                  ref.seconds if not ref.timed_out else cfg.baseline_timeout, "owlrl build (rdflib, owlrl)",
                  ref.timed_out, "<= 15 s at 1M", (fast.seconds <= 15 * per_million(cfg.triples)) if big else None,
                  f"median of {cfg.repeat}; {fast.value('inferred')} inferred")]
    for phase, name in (("parse", "parse (pyoxigraph vs rdflib)"), ("reason", "reasoning (SPARQL vs owlrl)"),
                        ("store", "write the on-disk store")):
        base = ref.value(phase)
        out.append(Figure("build", f"  {name}", float(fast.value(phase)), "s", float(base) if base else
                          (cfg.baseline_timeout if ref.timed_out and phase != "store" else None),
                          lower_bound=base is None and ref.timed_out and phase != "store"))
    per = f"{fast.rss_mib / per_million(cfg.asserted):.0f} MiB per 1M triples" if cfg.asserted >= 1_000_000 else ""
    out.append(Figure("build", "  peak memory of the build", fast.rss_mib, "MiB", ref.rss_mib, "owlrl build",
                      ref.timed_out, note=per))
    out.append(Figure("build", "  rdflib, owlrl, pyshacl imported", None, "", note=fast.value("modules")))
    return out


def incremental(cfg) -> list[Figure]:
    """Change one document in a copy of the project and rebuild; against a full build."""
    import sys

    sys.path.insert(0, str(ROOT / "src"))
    from qkg.build import build as qkg_build
    from qkg.paths import Project

    copy = cfg.work / "incremental"
    shutil.rmtree(copy, ignore_errors=True)
    for name in ("ontology", "data", "queries"):
        shutil.copytree(cfg.project / name, copy / name)
    os.environ["QKG_CACHE_DIR"] = str(copy / ".cache")
    project = Project(copy)
    started = time.perf_counter()
    qkg_build(project, incremental=False)
    full = time.perf_counter() - started
    times, loaded = [], set()
    sources = project.sources()
    for i in range(cfg.repeat):
        doc = sources[(i * 7919) % len(sources)]
        with doc.data.open("a", encoding="utf-8") as f:
            f.write(f'\n<https://w3id.org/qkg/id/org/benchmark-{i}> <http://www.w3.org/2000/01/rdf-schema#label> '
                    f'"Benchmark {i}"@en .\n')
        started = time.perf_counter()
        result = qkg_build(project)
        times.append(time.perf_counter() - started)
        loaded.add(len(result.loaded) if result.incremental else -1)
    os.environ.pop("QKG_CACHE_DIR")
    shutil.rmtree(copy, ignore_errors=True)
    inc = statistics.median(times)
    return [Figure("incremental", f"rebuild after changing 1 of {len(sources)} documents", inc, "s", full,
                   "full fast build", note=f"median of {cfg.repeat}; graphs re-parsed per rebuild: "
                   + ", ".join("all (full build)" if n < 0 else str(n) for n in sorted(loaded)))]


def _parameters(store) -> dict[str, str]:
    """Parameter values that exist in a synthetic store (the defaults name project entities)."""
    q = {"actor": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?p <https://w3id.org/qkg/ontology#agent> ?x } "
                  "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1",
         "event": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x <https://w3id.org/qkg/ontology#hasParticipation> ?p } "
                  "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1",
         "place": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?e <https://w3id.org/qkg/ontology#location> ?x } "
                  "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1",
         "org": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?o <https://w3id.org/qkg/ontology#observedEntity> ?x } "
                "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1",
         "person": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?h <https://w3id.org/qkg/ontology#holder> ?x } "
                   "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1"}
    out = {k: next(iter(store.query(v, use_default_graph_as_union=True)))["x"].value for k, v in q.items()}
    out.update({"entity": out["event"], "text": "Institute", "from": "2020-01-01", "to": "2020-12-31",
                "topic": "https://w3id.org/qkg/id/topic/international-collaboration"})
    return out


def stored_queries(cfg) -> list[tuple[str, str, dict]]:
    """(name, text with its parameters bound by VALUES, parameter values) of every stored query."""
    from qkg.paths import Project
    from qkg.queries import Catalog
    from qkg.sparql_text import bind
    from qkg.store import EmbeddedBackend

    values = _parameters(EmbeddedBackend(cfg.store).store) if cfg.synthetic else {}
    out = []
    for query in Catalog.load(Project(cfg.project)):
        given = {p.name: values[p.name] for p in query.parameters if p.name in values}
        bindings = query.bind(given)
        out.append((query.name, bind(query.text, bindings), given))
    return out


def queries(cfg) -> list[Figure]:
    """Every stored query on the embedded store (a child process each, with a timeout)
    against rdflib's engine on the same quads."""
    catalog = cfg.catalog
    path = cfg.work / "queries.json"
    path.write_text(json.dumps([(n, t) for n, t, _ in catalog]))
    ref = child([PYTHON, CHILDREN, "rdflib-queries", str(cfg.store), str(path), str(cfg.query_timeout),
                 str(cfg.query_runs)], timeout=cfg.baseline_timeout + (cfg.query_timeout + 5) * len(catalog))
    slow = {line.split()[1]: line.split()[2:] for line in ref.lines if line.startswith("query ")}
    out = [Figure("queries", "rdflib: load the quads into a Dataset", None, "s",
                  float(ref.value("load")) if ref.value("load") else cfg.baseline_timeout, "rdflib Dataset",
                  ref.value("load") is None, note=f"peak {ref.rss_mib:.0f} MiB (rdflib holding the data)")]
    big = cfg.triples >= 1_000_000
    cfg.embedded_ms = {}
    for name, text, _ in catalog:
        text_file = cfg.work / f"query-{name}.rq"
        text_file.write_text(text, encoding="utf-8")
        ours = child([PYTHON, CHILDREN, "embedded-query", str(cfg.store), str(text_file), str(cfg.query_runs), "3"],
                     timeout=cfg.embedded_timeout)
        text_file.unlink()
        ms = None if ours.timed_out else float(ours.value("ms"))
        rows = ours.value("rows") or "?"
        cfg.embedded_ms[name] = ms
        base, note = slow.get(name, ["timeout", "-"]), f"{rows} rows, {ours.value('runs') or 0} runs"
        timed_out = base[0] == "timeout"
        baseline = cfg.query_timeout * 1000 if timed_out else (None if base[0] == "error" else float(base[0]))
        if ms is None:
            note = f"embedded did not finish in {cfg.embedded_timeout:.0f} s"
        elif base[0] == "error":
            note += f"; rdflib failed: {base[1]}"
        elif not timed_out and base[1] != rows:
            note += f"; rdflib {base[1]} rows"
        ok = None
        if big:
            ok = ms is not None and ms <= 50 and baseline is not None and baseline / ms >= 50
        out.append(Figure("queries", name, ms, "ms", baseline, "rdflib SPARQL", timed_out and ms is not None,
                          "<= 50 ms and >= 50x at 1M", ok, note))
    return out


def merged(cfg) -> list[Figure]:
    """What the merged default graph buys and costs: the same stored queries with
    pyoxigraph 0.5's union mode (a triple once per named graph that states it, Oxigraph
    issue 1919) on the same store, and a build without the merged graph."""
    cache = cfg.work / "cache-unmerged"
    shutil.rmtree(cache, ignore_errors=True)
    built = child([PYTHON, CHILDREN, "fast-build", str(cfg.project), str(cache), "no"])
    store = next(cache.glob("stores/*/manifest.json")).parent
    size = sum(p.stat().st_size for p in store.iterdir()) / 2**20
    merged_size = sum(p.stat().st_size for p in cfg.store.iterdir()) / 2**20
    shutil.rmtree(cache, ignore_errors=True)
    build_figure = cfg.figures_by_name.get(f"build {cfg.label}: parse, closure, store")
    out = [Figure("queries, union mode", "build without the merged default graph", built.seconds, "s",
                  build_figure.qkg if build_figure else None, "build with it (the default)",
                  note=f"store {size:.0f} MiB against {merged_size:.0f} MiB with it")]
    for name, text, _ in cfg.catalog:
        text_file = cfg.work / f"query-{name}.rq"
        text_file.write_text(text, encoding="utf-8")
        ours = child([PYTHON, CHILDREN, "embedded-query", str(cfg.store), str(text_file), str(cfg.query_runs), "3",
                      "union"], timeout=cfg.embedded_timeout)
        text_file.unlink()
        ms = None if ours.timed_out else float(ours.value("ms"))
        merged_ms = cfg.embedded_ms.get(name)
        out.append(Figure("queries, union mode", name, merged_ms, "ms",
                          ms if ms is not None else cfg.embedded_timeout * 1000, "union mode (pyoxigraph 0.5)",
                          ms is None and merged_ms is not None,
                          note=(f"{ours.value('rows') or '?'} rows in union mode" if ms is not None else
                                f"union mode did not finish in {cfg.embedded_timeout:.0f} s")))
    return out


def cold_query(cfg) -> list[Figure]:
    """``qkg query`` in a fresh process (store built), against importing rdflib, owlrl,
    pyshacl: with a query that costs nothing (start-up, cache check, store opening,
    output) and with the timeline query."""
    import inspect

    from qkg.build import DEFAULT_REASONER
    from qkg.store import backend_for

    env = {"QKG_CACHE_DIR": str(cfg.store.parent.parent)}
    cli = inspect.signature(backend_for).parameters["reasoner"].default in (None, DEFAULT_REASONER)
    how = "qkg CLI" if cli else "the CLI's steps on the fast store (store.backend_for defaults to owlrl)"
    imports = statistics.median(child([PYTHON, "-c", "import rdflib, owlrl, pyshacl"]).seconds for _ in range(5))
    limit = 0.3 if cfg.triples >= 1_000_000 else 0.15
    budget = 450 * max(per_million(cfg.asserted), 1)
    out = []
    for name in ("list-strategies", "list-events-timeline"):
        _, _, given = next(q for q in cfg.catalog if q[0] == name)
        if cli:
            argv = [str(QKG), "--project", str(cfg.project), "query", name]
            argv += [x for k, v in given.items() for x in ("-p", f"{k}={v}")]
        else:
            argv = [PYTHON, CHILDREN, "cold-query", str(cfg.project), name, json.dumps(given)]
        runs = [child(argv, env=env, timeout=cfg.embedded_timeout) for _ in range(5 if name == "list-strategies" else 1)]
        seconds = statistics.median(c.seconds for c in runs)
        rss = max(c.rss_mib for c in runs)
        light = name == "list-strategies"
        out += [Figure("query path", f"cold `qkg query {name}`", seconds, "s", imports,
                       "python -c 'import rdflib, owlrl, pyshacl'", target=f"<= {limit} s" if light else "",
                       met=seconds <= limit if light else None,
                       note=f"{'median of 5' if light else 'one run; the query itself dominates'}; {how}"),
                Figure("query path", "  peak memory of that process", rss, "MiB",
                       target=f"<= {budget:.0f} MiB" if light else "", met=rss <= budget if light else None)]
    return out


def validate(cfg) -> list[Figure]:
    """``qkg validate`` of the whole project, on the built store and from no store, and
    SHACL on the built closure (no inference), against pyshacl with RDFS inference."""
    out = []
    timeout = cfg.baseline_timeout
    big = cfg.triples >= 1_000_000
    # qkg's runs first, the baseline (stopped at 3.5 GiB) last
    warm = child([PYTHON, CHILDREN, "validate", str(cfg.project), str(cfg.work / "cache-build-0")], timeout=timeout)
    fresh = cfg.work / "cache-validate"
    shutil.rmtree(fresh, ignore_errors=True)
    cold = child([PYTHON, CHILDREN, "validate", str(cfg.project), str(fresh)], timeout=timeout)
    shutil.rmtree(fresh, ignore_errors=True)
    ours = child([PYTHON, CHILDREN, "shacl-store", str(cfg.store), str(cfg.project)], timeout=timeout)
    from qkg.paths import Project

    graph = Project(cfg.project).sources()[0].graph
    one = child([PYTHON, CHILDREN, "shacl-store", str(cfg.store), str(cfg.project), graph], timeout=timeout)
    ref = child([PYTHON, CHILDREN, "pyshacl-rdfs", str(cfg.project)], timeout=timeout)
    for run, name, how in ((warm, "qkg validate, whole project, store built", "closure read from the store"),
                           (cold, "qkg validate, whole project, no store", "closure computed: the build runs")):
        stages = ", ".join(f"{k} {float(v):.1f} s" for k, v in (line.split(" ", 1) for line in run.lines)
                           if k not in ("total", "findings", "modules", "vmhwm"))
        seconds = None if run.timed_out else run.seconds
        out.append(Figure("validation", name, seconds, "s", timeout if ref.timed_out else ref.seconds,
                          "pyshacl inference=rdfs (SHACL alone)", ref.timed_out and not run.timed_out,
                          f"<= 30 s at 1M ({how})", (seconds is not None and seconds <= 30) if big else None,
                          f"{run.value('findings')} findings; {stages}" if not run.timed_out else "timed out"))
    build = cfg.figures_by_name.get(f"build {cfg.label}: parse, closure, store")
    closure = build.qkg if build else 0.0
    total = None if ours.timed_out else ours.seconds + closure
    note = f"results {ours.value('results')} vs {ref.value('results')}" if not (ours.timed_out or ref.timed_out) else ""
    return out + [Figure("validation", "closure (fast build) + shacl_on_store, all graphs", total, "s",
                   timeout if ref.timed_out else ref.seconds, "pyshacl inference=rdfs", ref.timed_out and not
                   ours.timed_out, note=note + ("; ours timed out" if ours.timed_out else "")),
            Figure("validation", "  shacl_on_store, one changed graph", None if one.timed_out else one.seconds, "s",
                   None if ours.timed_out else ours.seconds, "shacl_on_store, all graphs")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server(cfg) -> list[Figure]:
    """The same quads in an Oxigraph server (N-Quads export, ``oxigraph load``) over HTTP,
    against the embedded store."""
    import pyoxigraph as ox

    from qkg.store import RemoteBackend

    if not OXIGRAPH.exists():
        return [Figure("server", "oxigraph server", None, "s", note=f"skipped: no {OXIGRAPH}")]
    dump, location = cfg.work / "export.nq", cfg.work / "oxigraph-server"
    shutil.rmtree(location, ignore_errors=True)
    ox.Store.read_only(str(cfg.store)).dump(str(dump), ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(dump)], check=True,
                   capture_output=True)
    loaded = time.perf_counter() - started
    port = _free_port()
    # The dump holds the merged default graph, so the server answers on it as the embedded
    # store does (its --union-default-graph would repeat a triple once per graph stating it).
    proc = subprocess.Popen([str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind",
                             f"127.0.0.1:{port}", "--timeout-s",
                             str(int(cfg.embedded_timeout))], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    out = [Figure("server", "oxigraph load of the N-Quads export", loaded, "s",
                  note=f"{dump.stat().st_size / 2**20:.0f} MiB N-Quads")]
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.05)
        # The server's default graph is the merge: qkg need not list the graphs per request.
        remote = RemoteBackend(f"http://127.0.0.1:{port}/query", timeout=cfg.embedded_timeout, union=False)
        for name, text, _ in cfg.catalog:
            local_ms = cfg.embedded_ms.get(name)
            if local_ms is None:
                out.append(Figure("server", name, None, "ms", note="skipped: too slow embedded"))
                continue
            times, spent = [], 0.0
            try:
                while len(times) < cfg.query_runs and (not times or spent < 3):
                    clock = time.perf_counter()
                    remote.query(text)
                    times.append(time.perf_counter() - clock)
                    spent += times[-1]
            except Exception as exc:  # a timeout or a refusal: report it
                out.append(Figure("server", name, local_ms, "ms", note=f"HTTP failed: {type(exc).__name__}"))
                continue
            out.append(Figure("server", name, local_ms, "ms", statistics.median(times) * 1000,
                              "qkg --endpoint: oxigraph serve, HTTP", note="both parse the results into rows"))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(location, ignore_errors=True)
        dump.unlink(missing_ok=True)
    return out


SECTIONS = {"build": build, "incremental": incremental, "queries": queries, "merged": merged,
            "query-path": cold_query,
            "validation": validate, "server": server}
