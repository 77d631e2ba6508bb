"""``qkg export``: the graph as RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML),
as CSV tables, or the dataset's VoID/DCAT description."""
from __future__ import annotations

import sys

from qkg.cli import log_fn, project_of

FORMAT_HELP = ("ttl, nt, rdfxml: graphs merged; nq, trig: named graphs kept; jsonld: compacted JSON-LD "
               "(graphs merged unless --named-graphs); csv: one table per main class into -o DIR; "
               "void: the VoID/DCAT description of the dataset")


def configure(p) -> None:
    from qkg.export import FORMATS, FRAMES

    p.add_argument("-f", "--format", choices=tuple(FORMATS), default="ttl",
                   help=f"output format (default: ttl). {FORMAT_HELP}")
    p.add_argument("-o", "--output", metavar="FILE|DIR",
                   help="write to FILE (a directory DIR for -f csv) instead of standard output")
    p.add_argument("--graph", metavar="SOURCE_ID",
                   help="export only this named graph: a source id, or ontology, reference or sources")
    p.add_argument("--inferred", action="store_true",
                   help="add the inferred triples (graph/inferred; with --graph, those about its subjects)")
    p.add_argument("--frame", choices=FRAMES,
                   help="jsonld only: 'entity' nests participations, outcomes and evidence in what they are about")
    p.add_argument("--named-graphs", action="store_true",
                   help="jsonld only: keep the named graphs (one @graph object per source)")
    p.add_argument("--endpoint-url", metavar="URL",
                   help="void only: the public SPARQL endpoint to declare (void:sparqlEndpoint)")


def run(args) -> int:
    from pathlib import Path

    from qkg.errors import UsageError
    from qkg.store import backend_for

    if args.endpoint_url and args.format != "void":
        raise UsageError("--endpoint-url applies to -f void only", "--endpoint-url")
    backend = backend_for(None, project=project_of(args), log=log_fn(args))
    log = log_fn(args)
    if args.format == "csv":
        from qkg.tables import write_tables

        if not args.output:
            raise UsageError("-f csv writes one file per table: give a directory with -o DIR", "--output")
        if args.graph or args.inferred or args.frame or args.named_graphs:
            raise UsageError("--graph, --inferred, --frame and --named-graphs do not apply to -f csv", "--format")
        out = Path(args.output)
        if out.exists() and not out.is_dir():
            raise UsageError("-f csv needs a directory, and this is a file", str(out))
        paths = write_tables(backend, out)
        log(f"wrote {len(paths)} tables to {out}")
        return 0
    if args.format == "void":
        from qkg.describe import describe

        if args.graph or args.inferred or args.frame or args.named_graphs:
            raise UsageError("--graph, --inferred, --frame and --named-graphs do not apply to -f void", "--format")
        data = describe(backend, endpoint_url=args.endpoint_url).encode("utf-8")
    else:
        from qkg.export import export

        data = export(backend, args.format, graph=args.graph, inferred=args.inferred,
                      frame=args.frame, named_graphs=args.named_graphs)
    if args.output:
        out = Path(args.output)
        if out.is_dir():
            raise UsageError(f"is a directory; give a file name for -f {args.format}", str(out))
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"cannot write: {exc.strerror}", str(out)) from None
        log(f"wrote {len(data)} bytes to {out}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
