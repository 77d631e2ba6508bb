"""Benchmark of ``qkg validate``: wall time, and pyshacl under each inference option.

Prints medians of 3 runs and ratios; asserts nothing. Run from the project root:

    .venv/bin/python benchmarks/bench_validate.py

1. ``qkg validate`` wall time (a subprocess, start-up included) with the built store
   in the cache (the usual case: ``qkg build``/``query`` already ran), and from a cold,
   empty cache (parse, OWL RL closure, rules, store, then validation).
2. pyshacl on the project's data with ``inference`` none / rdfs / owlrl over the
   asserted triples, and none over the asserted triples plus the build's closure (what
   ``qkg validate`` does), each with and without parsing the shapes' SPARQL once.
   Result sets (focus, path, component, severity) are compared against pyshacl's own
   owlrl run, on the project data and on the project data plus the bad documents of
   tests/fixtures/invalid (so that there are results to compare).
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
QKG = Path(sys.executable).parent / "qkg"
RUNS = 3


def median_time(fn, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cli_validate(cache: str) -> float:
    env = {**os.environ, "QKG_CACHE_DIR": cache}
    start = time.perf_counter()
    done = subprocess.run([str(QKG), "--project", str(ROOT), "-q", "validate"], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode == 2:
        raise SystemExit(f"qkg validate could not run: {done.stderr.strip()}")
    return time.perf_counter() - start


def bench_cli() -> None:
    warm_cache = tempfile.mkdtemp(prefix="qkg-bench-")
    cli_validate(warm_cache)  # builds the store once
    warm = statistics.median(cli_validate(warm_cache) for _ in range(RUNS))
    cold = []
    for _ in range(RUNS):
        cache = tempfile.mkdtemp(prefix="qkg-bench-")
        cold.append(cli_validate(cache))
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(warm_cache, ignore_errors=True)
    print("qkg validate, wall time (median of 3, start-up included)")
    print(f"  built store cached   {warm:6.2f} s   (target: under 3 s)")
    print(f"  empty cache          {statistics.median(cold):6.2f} s   ({statistics.median(cold) / warm:.1f}x: "
          f"includes the build)")
    print()


def datasets():
    """``{name: (asserted graph, closure graph)}``: the project, and the project plus
    the invalid fixtures (reasoned with the build's own reasoner)."""
    import rdflib

    from qkg.build import reason
    from qkg.derive import load_rules
    from qkg.graph import load_inputs
    from qkg.paths import Project
    from qkg.rdfio import check_syntax, read_text

    project = Project(ROOT)
    out = {}
    pairs = project.graph_files()
    extra = []
    for case in sorted((ROOT / "tests" / "fixtures" / "invalid").glob("*/data/*.ttl")):
        try:
            check_syntax(read_text(case), str(case))
            g = rdflib.Graph().parse(case)
        except Exception:  # the syntax cases: not SHACL's business
            continue
        if len(g):
            extra.append(("https://w3id.org/qkg/graph/fixture-" + case.stem, case))
    for name, files in (("project", pairs), ("project + invalid fixtures", pairs + extra)):
        inputs = load_inputs(project, files=files)
        inferred, _ = reason(inputs, "owlrl", load_rules(project.rule_files))
        out[name] = (inputs.merged(), inferred)
    return out


def bench_shacl() -> None:
    import contextlib

    from qkg.paths import Project
    from qkg.shacl import load_shapes, run_shacl
    from qkg.validate import prepared_sparql

    shapes = load_shapes(Project(ROOT).shape_files)
    for name, (asserted, inferred) in datasets().items():
        with_closure = asserted + inferred
        variants = {
            "none (asserted only)": (asserted, "none"),
            "rdfs": (asserted, "rdfs"),
            "owlrl": (asserted, "owlrl"),
            "none + build closure": (with_closure, "none"),
        }
        print(f"pyshacl on {name}: {len(asserted)} asserted + {len(inferred)} inferred triples "
              f"(median of {RUNS}; ratio to 'none + build closure, SPARQL parsed once')")
        rows, base, reference = [], None, None
        for cached in (True, False):
            for label, (data, inference) in variants.items():
                ctx = prepared_sparql() if cached else contextlib.nullcontext()
                with ctx:
                    seconds, results = median_time(lambda: run_shacl(data, shapes, None, inference=inference))
                keys = {r.key() for r in results}
                if label == "owlrl" and cached:
                    reference = keys
                if label == "none + build closure" and cached:
                    base = seconds
                rows.append((label, "once" if cached else "each time", seconds, keys))
        for label, parsing, seconds, keys in rows:
            same = "same as owlrl" if keys == reference else f"DIFFERS from owlrl ({len(keys ^ reference)} results)"
            print(f"  {label:22} SPARQL parsed {parsing:9} {seconds:6.2f} s  {seconds / base:5.1f}x  "
                  f"{len(keys):3} results, {same}")
        print()


if __name__ == "__main__":
    import logging

    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # the fixtures' ill-typed literals
    bench_cli()
    bench_shacl()
