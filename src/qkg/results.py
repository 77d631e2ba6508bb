"""Rendering query results: the W3C result formats, terminal tables, Markdown and RDF.

``json`` is the SPARQL 1.1 Query Results JSON Format
(https://www.w3.org/TR/sparql11-results-json/); ``csv`` and ``tsv`` are the SPARQL 1.1
Query Results CSV and TSV Formats (https://www.w3.org/TR/sparql11-results-csv-tsv/),
written by pyoxigraph from that JSON, so results render byte for byte the same whether
they came from the embedded store or a remote endpoint. ``table`` (fitted to the
terminal) and ``md`` (a Markdown table) are for people: IRIs appear as prefixed names.
Graph results (CONSTRUCT, DESCRIBE) render as Turtle, JSON-LD or N-Triples.
"""
from __future__ import annotations

import json

from qkg.errors import UsageError
from qkg.namespaces import PREFIXES, XSD, shorten

SELECT_FORMATS = ("table", "csv", "tsv", "json", "md")
GRAPH_FORMATS = ("ttl", "jsonld", "nt")
#: format → media type, for HTTP responses and ``-o`` files.
MEDIA_TYPES = {
    "table": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/sparql-results+json",
    "md": "text/markdown; charset=utf-8",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
#: Narrowest a table column is squeezed to.
MIN_WIDTH = 6


def default_format(result) -> str:
    """``ttl`` for graphs, ``table`` otherwise."""
    return "ttl" if result.kind == "graph" else "table"


def render(result, fmt: str, width: int | None = None) -> str:
    """``result`` (a :class:`qkg.store.Result`) in format ``fmt``.

    :param width: the table width; default: the terminal's (:func:`shutil.get_terminal_size`).
    :raises UsageError: a format that does not fit the kind of result.
    """
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise UsageError(f"a graph result (CONSTRUCT, DESCRIBE) is written as {', '.join(GRAPH_FORMATS)}; "
                             f"not {fmt}", "--format")
        return graph(result.triples, fmt)
    if fmt not in SELECT_FORMATS:
        raise UsageError(f"a {result.kind.upper()} result is written as {', '.join(SELECT_FORMATS)}; "
                         f"not {fmt}", "--format")
    if fmt == "json":
        return json.dumps(to_json(result), ensure_ascii=False, indent=1) + "\n"
    if fmt in ("csv", "tsv"):
        return _w3c(result, fmt)
    if fmt == "md":
        return markdown(result)
    return table(result, width)


def term_json(term) -> dict:
    """One RDF term as a W3C results JSON object (section 3.2.2)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def to_json(result) -> dict:
    """The W3C SPARQL 1.1 results JSON object of a SELECT or ASK result."""
    if result.kind == "ask":
        return {"head": {}, "boolean": bool(result.boolean)}
    bindings = [{v: term_json(t) for v, t in zip(result.variables, row) if t is not None}
                for row in result.rows]
    return {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}


def _w3c(result, fmt: str) -> str:
    import pyoxigraph as ox

    parsed = ox.parse_query_results(json.dumps(to_json(result)).encode(), format=ox.QueryResultsFormat.JSON)
    kind = ox.QueryResultsFormat.CSV if fmt == "csv" else ox.QueryResultsFormat.TSV
    text = parsed.serialize(format=kind).decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def cell(term) -> str:
    """A term for people: a prefixed name for an IRI, the text of a literal, one line."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = shorten(term.value)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    else:
        text = term.value
    return " ".join(text.split()) if any(c in text for c in "\n\r\t") else text


def _cells(result) -> tuple[list[str], list[list[str]]]:
    if result.kind == "ask":
        return ["boolean"], [["true" if result.boolean else "false"]]
    return list(result.variables), [[cell(t) for t in row] for row in result.rows]


def fit(widths: list[int], total: int) -> list[int]:
    """Column widths shrunk, widest first, until they and the two-space gaps fit
    ``total``, never below :data:`MIN_WIDTH`."""
    widths = list(widths)
    gaps = 2 * max(len(widths) - 1, 0)
    while sum(widths) + gaps > total:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_WIDTH:
            break
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(result, width: int | None = None) -> str:
    """A plain-text table fitted to ``width`` columns. When the table is too wide, IRI
    columns that have a label column (``event`` beside ``eventLabel``) are left out
    first, and said so under the table; then long cells are cut with ``…``."""
    import shutil

    header, rows = _cells(result)
    if width is None:
        # A terminal gives its width ($COLUMNS overrides); a pipe, file or CI log gets
        # 200 columns rather than the 80 of a terminal that is not there.
        width = shutil.get_terminal_size((200, 24)).columns
    natural = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    keep = list(range(len(header)))
    if sum(natural) + 2 * (len(header) - 1) > width:
        keep = [i for i, h in enumerate(header) if f"{h}Label" not in header] or keep
    hidden = [header[i] for i in range(len(header)) if i not in keep]
    widths = fit([natural[i] for i in keep], width)
    lines = ["  ".join(_clip(header[i], w).ljust(w) for i, w in zip(keep, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_clip(r[i], w).ljust(w) for i, w in zip(keep, widths)).rstrip() for r in rows]
    if result.kind == "select":
        note = f"; not shown to fit the width: {', '.join(hidden)} (-f csv shows all)" if hidden else ""
        lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'}{note})")
    return "\n".join(lines) + "\n"


def markdown(result) -> str:
    """A GitHub-flavoured Markdown table (pipes and backslashes escaped)."""
    header, rows = _cells(result)

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def graph(triples, fmt: str) -> str:
    """Triples as Turtle (with the prefixes they use), JSON-LD or N-Triples, sorted so
    that the same graph always reads the same."""
    import pyoxigraph as ox

    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt == "nt":
        return ox.serialize(ordered, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if fmt == "jsonld":
        return ox.serialize(ordered, format=ox.RdfFormat.JSON_LD).decode("utf-8") + "\n"
    used = {}
    for t in ordered:
        for term in (t.subject, t.predicate, t.object):
            iri = term.value if isinstance(term, ox.NamedNode) else (
                term.datatype.value if isinstance(term, ox.Literal) and not term.language
                and term.datatype.value != XSD + "string" else "")
            name = shorten(iri) if iri else ""
            if name and not name.startswith("<"):
                prefix = name.split(":", 1)[0]
                used[prefix] = PREFIXES[prefix]
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=dict(sorted(used.items()))).decode("utf-8")
