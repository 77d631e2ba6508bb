"""``qkg demo``: the main job — validate the graph, print its statistics, run a
showcase of stored queries, and say how to run the others."""
from __future__ import annotations

import sys

from qkg.cli import log_fn, project_of


def configure(p) -> None:
    p.add_argument("--skip-validate", action="store_true", help="do not run the validation gate first")


def _heading(text: str) -> None:
    print(f"\n== {text}")


def run(args) -> int:
    from qkg import queries, results, stats
    from qkg.build import ensure_built
    from qkg.store import EmbeddedBackend

    project = project_of(args)
    log = log_fn(args)
    status = 0
    if not args.skip_validate:
        from qkg.report import render
        from qkg.validate import validate_project

        _heading("qkg validate")
        report = validate_project(project)
        print(render(report, "text", color=sys.stdout.isatty()))
        status = report.exit_code
    backend = EmbeddedBackend(ensure_built(project, log=log))
    _heading("qkg stats")
    print(stats.render(stats.compute(backend), with_classes=False))
    catalog = queries.Catalog.load(project)
    for name, params, title in queries.SHOWCASE:
        shown = " ".join(f"-p {k}={v}" for k, v in params.items())
        _heading(f"{title}  (qkg query {name}{' ' + shown if shown else ''})")
        print(results.render(queries.run(backend, catalog.get(name), params), "table"))
    _heading("more")
    print(f"{len(list(catalog))} stored queries: 'qkg queries' lists them, "
          "'qkg query NAME -p PARAM=VALUE' runs one, 'qkg sparql FILE' runs your own.")
    return status
