"""Content negotiation and the wire formats of the server.

Media types are chosen from the ``Accept`` header by RFC 9110 section 12.5.1 rules: the
most specific range that matches an offer gives its quality; the highest quality wins
and ties go to the server's order (JSON first for solutions, Turtle first for graphs).
A ``format`` request parameter (``json``, ``xml``, ``csv``, ``tsv``, ``md``, ``ttl``,
``nt``, ``jsonld``, ``rdfxml`` or a media type) overrides the header, as many SPARQL
clients send one (SPARQLWrapper sends ``format``, ``output`` and ``results``).

Solutions are written by :mod:`qkg.results` as W3C SPARQL 1.1 Results JSON; XML, CSV
and TSV are then written by pyoxigraph from that JSON, so each format is produced by
one reference writer whatever the row limit cut off.
"""
from __future__ import annotations

from dataclasses import dataclass

#: (short name, media type, serializer key) for SELECT and ASK results, in preference order.
SOLUTION_TYPES = [
    ("json", "application/sparql-results+json", "json"),
    ("xml", "application/sparql-results+xml", "xml"),
    ("csv", "text/csv", "csv"),
    ("tsv", "text/tab-separated-values", "tsv"),
    ("json", "application/json", "json"),
    ("xml", "application/xml", "xml"),
    ("xml", "text/xml", "xml"),
]
#: Markdown is offered by the stored-query API only (people read it, parsers do not).
MARKDOWN = ("md", "text/markdown", "md")
#: The same for graph results (CONSTRUCT, DESCRIBE, entity descriptions).
GRAPH_TYPES = [
    ("ttl", "text/turtle", "ttl"),
    ("nt", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "jsonld"),
    ("rdfxml", "application/rdf+xml", "rdfxml"),
    ("ttl", "application/x-turtle", "ttl"),
    ("ttl", "text/n3", "ttl"),  # Turtle is a subset of N3
    ("jsonld", "application/json", "jsonld"),
    ("rdfxml", "application/xml", "rdfxml"),
    ("nt", "text/plain", "nt"),
]
#: The media type each serializer answers with.
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "html": "text/html; charset=utf-8",
}
#: ``format`` parameter aliases (per kind of result) → serializer key.
_ALIASES = {
    "turtle": "ttl", "n3": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld",
    "rdf": "rdfxml", "rdf+xml": "rdfxml", "markdown": "md", "text/csv": "csv",
}


class NotAcceptable(Exception):
    """No offered media type is acceptable; ``offers`` lists what is."""

    def __init__(self, offers: list[str]):
        super().__init__(f"none of the requested media types is available; choose one of {', '.join(offers)}")
        self.offers = offers


@dataclass(frozen=True)
class Range:
    """One media range of an Accept header."""

    type: str
    subtype: str
    q: float
    params: int  # number of parameters other than q: more is more specific

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: -1 not at all, else 0-3."""
        t, _, s = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != t:
            return -1
        if self.subtype == "*":
            return 1
        return 2 + min(self.params, 1) if self.subtype == s else -1


def parse_accept(header: str | None) -> list[Range]:
    """The media ranges of an Accept header; malformed ranges are skipped."""
    out = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        kind = fields[0].lower()
        if "/" not in kind:
            continue
        t, _, s = kind.partition("/")
        q, params = 1.0, 0
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif name:
                params += 1
        out.append(Range(t, s, q, params))
    return out


def negotiate(accept: str | None, offers: list[tuple[str, str, str]]) -> tuple[str, str]:
    """``(serializer key, media type)`` of the best offer for ``accept``.

    :param offers: ``(short name, media type, serializer key)`` in server preference.
    :raises NotAcceptable: every offer has quality 0.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0][2], offers[0][1]
    best, best_q = None, 0.0
    for offer in offers:
        found = [(r.matches(offer[1]), r.q) for r in ranges if r.matches(offer[1]) >= 0]
        if not found:
            continue
        q = max(found)[1]  # the most specific matching range decides
        if q > best_q:
            best, best_q = offer, q
    if best is None:
        raise NotAcceptable(sorted({o[1] for o in offers}))
    return best[2], best[1]


def by_name(value: str | None, offers: list[tuple[str, str, str]]) -> str | None:
    """The serializer key a ``format`` parameter names among ``offers``, or None."""
    if not value:
        return None
    value = value.strip().lower()
    if "/" in value:
        for _, media, key in offers:
            if media == value.split(";")[0].strip():
                return key
        return None
    value = _ALIASES.get(value, value)
    keys = {key for _, _, key in offers}
    if value in keys:
        return value
    if value == "xml" and "rdfxml" in keys:
        return "rdfxml"
    if value == "json" and "jsonld" in keys:
        return "jsonld"
    return None


def choose(accept: str | None, fmt: str | None, offers: list[tuple[str, str, str]]) -> str:
    """The serializer key for a request: ``format`` if it names an offer, else Accept.

    :raises NotAcceptable: nothing acceptable.
    """
    return by_name(fmt, offers) or negotiate(accept, offers)[0]


def solutions_bytes(variables: list[str], rows: list[tuple], key: str) -> bytes:
    """SELECT solutions in format ``key`` (json, xml, csv, tsv, md)."""
    from qkg.store import Result

    return result_bytes(Result("select", list(variables), rows), key)


def boolean_bytes(value: bool, key: str) -> bytes:
    """An ASK result in format ``key``."""
    from qkg.store import Result

    return result_bytes(Result("ask", boolean=value), key)


def result_bytes(result, key: str) -> bytes:
    """A SELECT or ASK :class:`qkg.store.Result` in format ``key``."""
    import json

    import pyoxigraph as ox

    from qkg import results

    if key == "md":
        return results.markdown(result).encode("utf-8")
    data = json.dumps(results.to_json(result), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key == "json":
        return data
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    kind = {"xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV}[key]
    return parsed.serialize(format=kind)


def graph_bytes(triples: list, key: str) -> bytes:
    """Triples in format ``key`` (ttl with the prefixes used, nt, jsonld, rdfxml)."""
    import pyoxigraph as ox

    from qkg import results

    if key == "rdfxml":
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML)
    return results.graph(triples, key).encode("utf-8")
