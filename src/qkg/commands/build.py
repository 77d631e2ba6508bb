"""``qkg build``: build the dataset into the cached store."""
from __future__ import annotations

from qkg.cli import log_fn, project_of


def configure(p) -> None:
    p.add_argument("--reasoner", choices=("fast", "owlrl"), default=None,
                   help="fast (default): OWL RL rules the ontology uses, as SPARQL updates in pyoxigraph, "
                        "tested to infer exactly what owlrl infers; owlrl: the reference reasoner")
    p.add_argument("--force", action="store_true", help="rebuild even if the cached store is up to date")


def run(args) -> int:
    from qkg.build import build, cached_store

    project = project_of(args)
    log = log_fn(args)
    if not args.force and cached_store(project, args.reasoner):
        log("store is up to date")
        return 0
    result = build(project, reasoner=args.reasoner, log=log)
    for err in result.errors:
        print(f"qkg: inconsistency: {err}")
    return 1 if result.errors else 0
