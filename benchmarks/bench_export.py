"""Benchmark the exports and the static site on the project's data.

Prints, without asserting anything, the wall time (median of 3) of:

1. each export format in process, from the built store to the bytes: selecting the
   quads, RDFC-1.0 canonicalization, sorting and serializing (``csv`` writes all
   tables, ``void`` the dataset description);
2. the whole static site (``qkg site``: every page, the per-entity Turtle and JSON-LD,
   the dumps, the tables, the search index);
3. with ``--cli``, the same through fresh ``qkg`` processes (start-up included);

then the total against the target: every format plus the site in under 5 s.

Usage: ``python benchmarks/bench_export.py [--cli] [--runs N]`` from the project directory.
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
TARGET_SECONDS = 5.0
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "rdfxml", "csv", "void")


def median_of(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def in_process(runs: int) -> dict[str, float]:
    from qkg import export, tables
    from qkg.build import ensure_built
    from qkg.describe import describe
    from qkg.paths import Project
    from qkg.site import _SNAPSHOTS, build_site
    from qkg.store import EmbeddedBackend

    project = Project(ROOT)
    backend = EmbeddedBackend(ensure_built(project))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            if fmt == "csv":
                job = lambda: tables.write_tables(backend, Path(tmp) / "csv")  # noqa: E731
            elif fmt == "void":
                job = lambda: describe(backend)  # noqa: E731
            else:
                job = lambda fmt=fmt: export.export(backend, fmt)  # noqa: E731
            results[fmt], times = median_of(job, runs)
            print(f"  {fmt:<8} median {results[fmt]:6.3f} s  (runs {', '.join(f'{t:.3f}' for t in times)})")

        def site():
            _SNAPSHOTS.clear()  # measure the snapshot too, as a fresh process would
            build_site(backend, Path(tmp) / "site", project=project)

        results["site"], times = median_of(site, runs)
        print(f"  {'site':<8} median {results['site']:6.3f} s  (runs {', '.join(f'{t:.3f}' for t in times)})")
    return results


def through_cli(runs: int) -> dict[str, float]:
    env = dict(os.environ)
    subprocess.run([str(QKG), "-q", "build"], env=env, check=True, cwd=ROOT)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            out = Path(tmp) / ("csv" if fmt == "csv" else f"out.{fmt}")
            argv = [str(QKG), "-q", "export", "-f", fmt, "-o", str(out)]
            results[fmt], times = median_of(
                lambda argv=argv: subprocess.run(argv, env=env, cwd=ROOT, check=True), runs)
            print(f"  {fmt:<8} median {results[fmt]:6.3f} s  (runs {', '.join(f'{t:.3f}' for t in times)})")
        argv = [str(QKG), "-q", "site", str(Path(tmp) / "site")]
        results["site"], times = median_of(lambda: subprocess.run(argv, env=env, cwd=ROOT, check=True), runs)
        print(f"  {'site':<8} median {results['site']:6.3f} s  (runs {', '.join(f'{t:.3f}' for t in times)})")
    return results


def verdict(label: str, results: dict[str, float]) -> None:
    total = sum(results.values())
    status = "within" if total <= TARGET_SECONDS else "OVER"
    print(f"  total    {total:6.3f} s  vs target {TARGET_SECONDS:.1f} s: {status} target "
          f"({total / TARGET_SECONDS:.0%} of it) [{label}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true", help="also time fresh qkg processes (start-up included)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default: 3, the median is shown)")
    args = parser.parse_args()
    print("in process: every export format, then the site")
    verdict("in process", in_process(args.runs))
    if args.cli:
        print("fresh qkg processes: qkg export -f FORMAT -o FILE, then qkg site OUT")
        verdict("processes", through_cli(args.runs))


if __name__ == "__main__":
    main()
