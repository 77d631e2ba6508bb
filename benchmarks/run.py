"""Scale benchmarks of qkg (issue 6): build, incremental build, stored queries, the cold
query path, validation and an Oxigraph server, each against its baseline in the same run.

    python benchmarks/run.py --smoke            # 10k triples, few runs: CI's smoke test
    python benchmarks/run.py --size 1M          # the figures of benchmarks/README.md
    python benchmarks/run.py --size 100k --only build,queries

A synthetic project of the size asked (benchmarks/generate.py, seed 7) is written under
``--workdir`` (default ``/tmp/qkg-bench``) and reused when already there. Prints every
figure with its baseline, the ratio and the target; asserts nothing. Baselines that
could run for minutes (owlrl, rdflib, pyshacl) get a timeout and are then reported as
lower bounds (``>``). Other processes on the machine add noise to every figure.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import ROOT, Figure, print_table, save  # noqa: E402

import generate  # noqa: E402
import sections  # noqa: E402


@dataclass
class Config:
    label: str
    triples: int
    work: Path
    project: Path
    repeat: int
    query_runs: int
    query_timeout: float
    baseline_timeout: float
    embedded_timeout: float
    synthetic: bool = True
    store: Path | None = None
    asserted: int = 0
    catalog: list = field(default_factory=list)
    embedded_ms: dict = field(default_factory=dict)
    figures_by_name: dict = field(default_factory=dict)


def configure(args) -> Config:
    size = "10k" if args.smoke else args.size
    triples = generate.parse_size(size)
    big = triples >= 1_000_000
    work = Path(args.workdir) / size
    return Config(
        label=size, triples=triples, work=work, project=work / "project",
        repeat=args.repeat or (1 if args.smoke else 3),
        query_runs=args.runs or (3 if args.smoke else 5 if big else 11),
        query_timeout=args.query_timeout or (10 if args.smoke else 20),
        baseline_timeout=args.baseline_timeout or (120 if args.smoke else 300),
        embedded_timeout=args.embedded_timeout or (30 if args.smoke else 60),
    )


def prepare(cfg: Config, regenerate: bool) -> list[Figure]:
    marker = cfg.project / "data" / "reference.ttl"
    if marker.exists() and not regenerate:
        generate.copy_project_files(cfg.project)  # the ontology and queries of this checkout
        return [Figure("corpus", f"synthetic project {cfg.label} (reused)", None, "s", note=str(cfg.project))]
    cfg.work.mkdir(parents=True, exist_ok=True)
    summary = generate.generate(cfg.project, cfg.triples, seed=7)
    return [Figure("corpus", f"generate {cfg.label}: {summary.documents} documents", summary.seconds, "s",
                   note=f"{summary.triples} asserted triples in {cfg.project}")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="10k triples, one run each (a smoke test; minutes)")
    parser.add_argument("--size", default="1M", help="10k, 100k, 1M, 10M or a number of triples (default 1M)")
    parser.add_argument("--workdir", default=os.environ.get("QKG_BENCH_DIR", "/tmp/qkg-bench"),
                        help="where the synthetic projects and stores go (default /tmp/qkg-bench)")
    parser.add_argument("--only", help=f"comma-separated sections of: {', '.join(sections.SECTIONS)}")
    parser.add_argument("--repeat", type=int, help="builds per build figure (median; default 3, smoke 1)")
    parser.add_argument("--runs", type=int, help="runs per query figure (median)")
    parser.add_argument("--query-timeout", type=float, help="seconds rdflib may take per query (default 20)")
    parser.add_argument("--baseline-timeout", type=float, help="seconds owlrl or pyshacl may take (default 300)")
    parser.add_argument("--embedded-timeout", type=float, help="seconds a stored query may take embedded (default 60)")
    parser.add_argument("--regenerate", action="store_true", help="write the synthetic project again")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    cfg = configure(args)
    os.environ.pop("QKG_CACHE_DIR", None)
    wanted = args.only.split(",") if args.only else list(sections.SECTIONS)
    built = sorted(cfg.work.glob("cache-build-0/stores/*/manifest.json"))
    if "build" not in wanted and built and not args.regenerate:
        cfg.store = built[0].parent  # the store of an earlier run of the build section
        cfg.asserted = sum(__import__("json").loads(built[0].read_text())["graphs"].values())
    elif "build" not in wanted:
        wanted.insert(0, "build")  # every other section needs the store
    if "server" in wanted and "queries" not in wanted:
        wanted.insert(wanted.index("server"), "queries")
    if "merged" in wanted and "queries" not in wanted:
        wanted.insert(wanted.index("merged"), "queries")
    started = time.perf_counter()
    figures = prepare(cfg, args.regenerate)  # copies this checkout's queries into the project
    if cfg.store is not None:
        cfg.catalog = sections.stored_queries(cfg)  # after the copy: the queries measured are this checkout's
    print(f"qkg scale benchmarks, {cfg.label} triples, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start; {platform.python_version()}", flush=True)
    for name in wanted:
        clock = time.perf_counter()
        got = sections.SECTIONS[name](cfg)
        if name == "build":
            cfg.catalog = sections.stored_queries(cfg)
        figures += got
        cfg.figures_by_name.update({f.name: f for f in got})
        print_table(got)
        print(f"({name}: {time.perf_counter() - clock:.0f} s)", flush=True)
    print(f"\nall figures ({time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f} at end):")
    print_table(figures)
    if args.json:
        save(figures, Path(args.json), {"size": cfg.label, "triples": cfg.triples, "cores": os.cpu_count(),
                                        "loadavg_end": os.getloadavg(), "seconds": time.perf_counter() - started})
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
