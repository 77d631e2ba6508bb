"""``qkg sparql``: run an ad-hoc SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
from __future__ import annotations

from qkg.cli import log_fn, project_of
from qkg.commands.query import FORMATS, add_output_options, check_format, emit


def configure(p) -> None:
    p.add_argument("source", metavar="FILE", help="the query file, or - to read the query from stdin")
    p.add_argument("-f", "--format", choices=FORMATS,
                   help="table (default), csv, tsv, json, md for SELECT and ASK; "
                        "ttl (default), jsonld, nt for CONSTRUCT and DESCRIBE")
    add_output_options(p)


def read_query(source: str) -> str:
    """The query text of a file or of stdin (``-``).

    :raises InputError: a missing or unreadable file, or text that is not UTF-8.
    """
    import sys
    from pathlib import Path

    from qkg.errors import InputError

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the query: {exc.strerror or exc}", source) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the query is not UTF-8 (byte {exc.start})", "stdin" if source == "-" else source) from None


def run(args) -> int:
    from qkg.results import default_format, render
    from qkg.sparql_text import query_form
    from qkg.store import backend_for

    text = read_query(args.source)
    check_format(args.format, query_form(text))
    backend = backend_for(args.endpoint, project=None if args.endpoint else project_of(args), log=log_fn(args))
    result = backend.query(text, source="stdin" if args.source == "-" else args.source)
    emit(render(result, args.format or default_format(result)), args.output)
    return 0
