"""``qkg stats``: triples and instances per class in each named graph."""
from __future__ import annotations

import json
import sys

from qkg.cli import log_fn, project_of


def configure(p) -> None:
    p.add_argument("-f", "--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--no-classes", action="store_true", help="print only the triple count of each graph")
    p.add_argument("--endpoint", metavar="URL", help="count in this SPARQL endpoint instead of the embedded store ($QKG_ENDPOINT)")


def run(args) -> int:
    from qkg import stats
    from qkg.store import backend_for

    backend = backend_for(args.endpoint, project=None if args.endpoint else project_of(args), log=log_fn(args))
    result = stats.compute(backend)
    if args.format == "json":
        json.dump([s.__dict__ for s in result], sys.stdout, indent=1)
        print()
    else:
        print(stats.render(result, with_classes=not args.no_classes))
    return 0
