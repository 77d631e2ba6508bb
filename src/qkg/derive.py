"""Build-time derivations: the shortcut rules and the normalized date bounds.

Shortcut triples (schema:organizer, qkg:holds, …) are never typed by hand: each rule
is a SPARQL CONSTRUCT in ``ontology/rules/`` run over the asserted and inferred
triples. Date bounds turn dates of any precision into ``xsd:date`` values that
filters can compare without mixing datatypes (a type error in SPARQL).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from pathlib import Path

from qkg.namespaces import QKG, XSD

EARLIEST_START = QKG + "earliestStart"
LATEST_END = QKG + "latestEnd"
START, END, PLANNED = QKG + "startDate", QKG + "endDate", QKG + "plannedStart"

_YEAR = re.compile(r"^(-?\d{4,})(?:Z|[+-]\d{2}:\d{2})?$")
_YEAR_MONTH = re.compile(r"^(-?\d{4,})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
_DATE = re.compile(r"^(-?\d{4,}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Rule:
    name: str
    text: str


def load_rules(paths: list[Path]) -> list[Rule]:
    return [Rule(p.stem, p.read_text(encoding="utf-8")) for p in paths]


def day_bounds(lexical: str, datatype: str) -> tuple[str, str] | None:
    """The first and last calendar day a date literal of any precision may denote.

    A date-time counts as the calendar day written in its own time zone, which is how
    the source states it. Returns ``None`` for a value that is not a date.
    """
    local = datatype[len(XSD):] if datatype.startswith(XSD) else ""
    if local in ("date", "dateTime", "dateTimeStamp"):
        m = _DATE.match(lexical)
        return (m.group(1), m.group(1)) if m else None
    if local == "gYearMonth":
        m = _YEAR_MONTH.match(lexical)
        if not m:
            return None
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return None
        last = calendar.monthrange(year, month)[1] if year > 0 else 31
        return (f"{m.group(1)}-{month:02d}-01", f"{m.group(1)}-{month:02d}-{last:02d}")
    if local == "gYear":
        m = _YEAR.match(lexical)
        return (f"{m.group(1)}-01-01", f"{m.group(1)}-12-31") if m else None
    return None


def date_bounds(rows) -> list[tuple[str, str, str]]:
    """Derive ``(event, qkg:earliestStart | qkg:latestEnd, 'YYYY-MM-DD')`` triples.

    :param rows: ``(event, property, lexical, datatype)`` for every start date, end date
        and planned start, as strings.
    """
    found: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for event, prop, lexical, datatype in rows:
        bounds = day_bounds(lexical, datatype)
        if bounds:
            found.setdefault(event, {}).setdefault(prop, []).append(bounds)
    out = []
    for event, props in found.items():
        starts = props.get(START) or props.get(PLANNED)
        ends = props.get(END) or starts
        if starts:
            out.append((event, EARLIEST_START, min(b[0] for b in starts)))
        if ends:
            out.append((event, LATEST_END, max(b[1] for b in ends)))
    return out


def date_rows_rdflib(graph):
    """``(event, property, lexical, datatype)`` rows for :func:`date_bounds` from rdflib."""
    from rdflib import Literal, URIRef

    for prop in (START, END, PLANNED):
        for s, o in graph.subject_objects(URIRef(prop)):
            if isinstance(o, Literal):
                yield str(s), prop, str(o), str(o.datatype or XSD + "string")


def bounds_triples_rdflib(graph):
    """The date-bound triples for the events of an rdflib graph, as rdflib terms."""
    from rdflib import BNode, Literal, URIRef

    out = []
    subjects = {str(s): s for p in (START, END, PLANNED) for s in graph.subjects(URIRef(p))}
    for event, prop, day in date_bounds(date_rows_rdflib(graph)):
        subject = subjects.get(event) or (BNode(event) if not event.startswith("http") else URIRef(event))
        out.append((subject, URIRef(prop), Literal(day, datatype=URIRef(XSD + "date"))))
    return out


def bounds_quads(store, graph) -> list:
    """The date-bound quads (into ``graph``) for every event of a pyoxigraph ``store``,
    computed from the start, end and planned dates in any of its graphs."""
    import pyoxigraph as ox

    q = (f"SELECT ?e ?p ?v WHERE {{ VALUES ?p {{ <{START}> <{END}> <{PLANNED}> }} "
         "GRAPH ?g { ?e ?p ?v } FILTER(isLiteral(?v)) }")
    subjects, rows = {}, []
    for r in store.query(q):
        event = r["e"]
        key = ("_:" if isinstance(event, ox.BlankNode) else "") + event.value
        subjects[key] = event
        rows.append((key, r["p"].value, r["v"].value, r["v"].datatype.value))
    date = ox.NamedNode(XSD + "date")
    return [ox.Quad(subjects[e], ox.NamedNode(p), ox.Literal(day, datatype=date), graph)
            for e, p, day in date_bounds(rows)]
