"""``qkg new-source``: start a new source document — its text, metadata and Turtle file."""
from __future__ import annotations

from qkg.cli import log_fn, project_of


def configure(p) -> None:
    p.add_argument("text", help="the source document's text file (copied unchanged)")
    p.add_argument("--id", required=True, dest="source_id",
                   help="the stable source id, lowercase kebab-case, e.g. 2026-01-15-meti-quantum-roadmap")
    p.add_argument("--title", required=True, help="the document's title as it states it")
    p.add_argument("--issued", help="the issue date the document states (YYYY-MM-DD)")
    p.add_argument("--publisher", action="append", default=[], metavar="IRI",
                   help="a publishing organization, e.g. qorg:cabinet-office (repeatable)")
    p.add_argument("--language", default="en", help="the BCP 47 language of the text (default: en)")


def run(args) -> int:
    from qkg.sources import new_source

    paths = new_source(project_of(args), args.text, args.source_id, args.title,
                       issued=args.issued, publishers=args.publisher, language=args.language)
    log = log_fn(args)
    for p in paths:
        log(f"wrote {p}")
    log("now encode the document's assertions, with evidence, in the Turtle file, then run 'qkg validate'")
    return 0
