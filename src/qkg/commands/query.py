"""``qkg query``: run a stored query by name, with parameters bound by value."""
from __future__ import annotations

from qkg.cli import log_fn, project_of
from qkg.errors import UsageError

FORMATS = ("table", "csv", "tsv", "json", "md", "ttl", "jsonld", "nt")


def add_output_options(p) -> None:
    """``-o FILE`` and ``--endpoint URL``, shared by ``qkg query`` and ``qkg sparql``."""
    p.add_argument("-o", "--output", metavar="FILE", help="write the results to FILE instead of stdout")
    p.add_argument("--endpoint", metavar="URL",
                   help="run on this SPARQL 1.1 endpoint instead of the embedded store ($QKG_ENDPOINT)")


def configure(p) -> None:
    p.add_argument("name", metavar="NAME", help="the stored query (queries/NAME.rq); 'qkg queries' lists them")
    p.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter by its bare name, e.g. -p from=2021-01-01 or -p actor=qorg:q-star "
                        "(IRIs as full IRIs or prefixed names); repeat for several")
    p.add_argument("-f", "--format", choices=FORMATS,
                   help="table (default, fitted to the terminal), csv, tsv, json (W3C SPARQL results "
                        "formats), md (Markdown); ttl (default for graphs), jsonld, nt for CONSTRUCT queries")
    add_output_options(p)


def parse_params(items: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings as a dict.

    :raises UsageError: an item without ``=`` or a name given twice.
    """
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"expected NAME=VALUE, got {item!r}", "-p")
        if name in values:
            raise UsageError(f"parameter {name!r} is given twice", "-p")
        values[name] = value
    return values


def check_format(fmt: str | None, form: str) -> None:
    """:raises UsageError: a graph format for solutions or the other way round."""
    from qkg.results import GRAPH_FORMATS, SELECT_FORMATS

    allowed = GRAPH_FORMATS if form == "graph" else SELECT_FORMATS
    if fmt is not None and fmt not in allowed:
        kind = "CONSTRUCT/DESCRIBE" if form == "graph" else form.upper()
        raise UsageError(f"a {kind} query's results are written as {', '.join(allowed)}; not {fmt}", "--format")


def emit(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` (a file path) or stdout."""
    import sys

    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from pathlib import Path

    from qkg.errors import InputError

    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the results: {exc.strerror or exc}", output) from None


def run(args) -> int:
    from qkg.queries import Catalog
    from qkg.results import default_format, render
    from qkg.store import backend_for

    project = project_of(args)
    query = Catalog.load(project).get(args.name)
    bindings = query.bind(parse_params(args.param))
    check_format(args.format, query.form)
    backend = backend_for(args.endpoint, project=project, log=log_fn(args))
    result = backend.query(query.text, bindings, source=f"queries/{query.path.name}")
    emit(render(result, args.format or default_format(result)), args.output)
    return 0
