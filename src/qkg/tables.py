"""CSV tables of the main classes, for spreadsheets and data frames.

One table per main class (events, actors, participations, documents, observations,
post holdings): one row per instance, one column per property, labels beside IRIs,
the source documents that state the row in ``sources``. Each column is one SPARQL
query over the store (the union of the asserted and inferred graphs, so an event
typed ``qkg:HighLevelMeeting`` is an event); several values of a column are sorted
and joined with :data:`JOIN`. Files are UTF-8 CSV as RFC 4180 defines it (comma,
CRLF line ends, double quotes where needed), rows in a stable order.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from qkg.namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, SOURCES_GRAPH

#: Separator of several values in one cell.
JOIN = " | "
_NOT_DOCUMENTS = (ONTOLOGY_GRAPH, REFERENCE_GRAPH, SOURCES_GRAPH, INFERRED_GRAPH)


@dataclass(frozen=True)
class Column:
    """A column: ``path`` is a SPARQL property path from the row's entity; ``show`` is
    ``value`` (the literal or IRI), ``label`` (the label of the IRI it reaches)."""

    name: str
    path: str
    show: str = "value"


@dataclass(frozen=True)
class Table:
    name: str
    cls: str
    columns: tuple[Column, ...]
    order: tuple[str, ...] = ()  # columns to sort by before the IRI


def _v(name, path):
    return Column(name, path)


def _l(name, path):
    return Column(name, path, "label")


TABLES: tuple[Table, ...] = (
    Table("events", "qkg:Event", (
        _l("type", "rdf:type"), _v("start_date", "qkg:startDate"), _v("end_date", "qkg:endDate"),
        _v("planned_start", "qkg:plannedStart"), _v("earliest_start", "qkg:earliestStart"),
        _v("latest_end", "qkg:latestEnd"), _l("status", "qkg:eventStatus"),
        _v("venue", "qkg:venue"), _l("venue_label", "qkg:venue"),
        _v("location", "qkg:location"), _l("location_label", "qkg:location"),
        _v("super_event", "qkg:superEvent"), _l("super_event_label", "qkg:superEvent"),
        _l("series", "qkg:inSeries"), _v("edition", "qkg:editionNumber"), _l("topics", "dcterms:subject"),
    ), order=("earliest_start",)),
    Table("actors", "qkg:Agent", (
        _l("type", "rdf:type"), _v("label_ja", "rdfs:label"), _v("alt_labels", "skos:altLabel"),
        _l("based_in", "qkg:basedIn"), _v("sub_organization_of", "qkg:subOrganizationOf"),
        _l("sub_organization_of_label", "qkg:subOrganizationOf"), _v("country_code", "qkg:countryCode"),
        _v("exact_match", "skos:exactMatch"),
    )),
    Table("participations", "qkg:Participation", (
        _v("event", "^qkg:hasParticipation"), _l("event_label", "^qkg:hasParticipation"),
        _v("event_start", "^qkg:hasParticipation/qkg:earliestStart"),
        _v("agent", "qkg:agent"), _l("agent_label", "qkg:agent"),
        _v("role", "qkg:role"), _l("role_label", "qkg:role"),
    ), order=("event_start", "event", "role_label", "agent_label")),
    Table("documents", "qkg:Document", (
        _l("type", "rdf:type"), _v("source_id", "qkg:sourceId"), _v("title", "dcterms:title"),
        _l("publisher", "dcterms:publisher"), _v("issued", "dcterms:issued"),
        _v("issued_not_before", "qkg:issuedNotBefore"), _v("language", "dcterms:language"),
        _v("format", "dcterms:format"), _v("text_file", "qkg:textFile"), _v("sha256", "qkg:sha256"),
        _l("minutes_of", "qkg:minutesOf"),
    )),
    Table("observations", "qkg:Observation", (
        _v("observed_entity", "qkg:observedEntity"), _l("observed_entity_label", "qkg:observedEntity"),
        _l("measure", "qkg:measure"), _v("as_of", "qkg:asOf"), _v("exact_value", "qkg:exactValue"),
        _v("min_exclusive", "qkg:minExclusive"), _v("min_inclusive", "qkg:minInclusive"),
        _v("max_exclusive", "qkg:maxExclusive"), _v("max_inclusive", "qkg:maxInclusive"),
    ), order=("observed_entity", "as_of")),
    Table("posts", "qkg:PostHolding", (
        _v("holder", "qkg:holder"), _l("holder_label", "qkg:holder"), _v("post", "qkg:post"),
        _l("post_label", "qkg:post"), _l("organization", "qkg:post/qkg:postIn"), _v("as_of", "qkg:asOf"),
    ), order=("holder_label", "as_of")),
)
TABLE_NAMES = tuple(t.name for t in TABLES)


def _label_rank(term) -> tuple:
    lang = getattr(term, "language", None)
    return ({"en": 0, None: 1}.get(lang, 2), term.value)


def labels(backend) -> dict[str, str]:
    """IRI → its label: English first, then untagged, then any other language."""
    from qkg.namespaces import sparql_prologue

    rows = backend.query(sparql_prologue() + "SELECT ?x ?l WHERE { ?x rdfs:label|skos:prefLabel ?l }").rows
    best: dict[str, tuple] = {}
    for x, lit in rows:
        rank = _label_rank(lit)
        if x.value not in best or rank < best[x.value]:
            best[x.value] = rank
    return {iri: rank[1] for iri, rank in best.items()}


def sources_of(backend) -> dict[str, list[str]]:
    """Entity IRI → ids of the source documents whose graph describes it."""
    out: dict[str, set] = {}
    for x, g in backend.query("SELECT DISTINCT ?x ?g WHERE { GRAPH ?g { ?x ?p ?o } FILTER isIRI(?x) }").rows:
        if g.value.startswith(GRAPH) and g.value not in _NOT_DOCUMENTS:
            out.setdefault(x.value, set()).add(g.value[len(GRAPH):])
    return {k: sorted(v) for k, v in out.items()}


def _cell(values) -> str:
    return JOIN.join(sorted(set(values)))


def build_table(backend, table: Table, label_of: dict, sources: dict) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of one table."""
    from qkg.namespaces import sparql_prologue

    prologue = sparql_prologue()
    entities = [r[0].value for r in backend.query(
        prologue + f"SELECT DISTINCT ?x WHERE {{ ?x a {table.cls} FILTER isIRI(?x) }}").rows]
    cells: dict[str, dict[str, list]] = {c.name: {} for c in table.columns}
    for col in table.columns:
        if col.name == "type":
            # asserted types only: the inferred super-classes would repeat the tree
            query = (f"SELECT ?x ?v WHERE {{ ?x a {table.cls} . GRAPH ?g {{ ?x a ?v }} "
                     f"FILTER (?g != <{INFERRED_GRAPH}>) }}")
        else:
            query = f"SELECT ?x ?v WHERE {{ ?x a {table.cls} . ?x {col.path} ?v }}"
        for x, v in backend.query(prologue + query).rows:
            if col.name == "label_ja" and getattr(v, "language", None) != "ja":
                continue
            text = label_of.get(v.value, v.value) if col.show == "label" else v.value
            cells[col.name].setdefault(x.value, []).append(text)
    header = ["id", "iri", "label", *[c.name for c in table.columns], "sources"]
    rows = []
    for iri in entities:
        row = [iri.rstrip("/").rsplit("/", 1)[-1], iri, label_of.get(iri, "")]
        row += [_cell(cells[c.name].get(iri, ())) for c in table.columns]
        row.append(_cell(sources.get(iri, ())))
        rows.append(row)
    index = {name: header.index(name) for name in table.order}
    rows.sort(key=lambda r: (*[(r[index[n]] == "", r[index[n]]) for n in table.order], r[1]))
    return header, rows


def build_tables(backend, names=TABLE_NAMES) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Every table: name → (header, rows)."""
    label_of = labels(backend)
    sources = sources_of(backend)
    return {t.name: build_table(backend, t, label_of, sources) for t in TABLES if t.name in names}


def render_csv(header: list[str], rows: list[list[str]]) -> str:
    """RFC 4180 text: CRLF line ends, fields quoted only where needed."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_tables(backend, directory: Path | str) -> list[Path]:
    """Write ``<table>.csv`` for every table into ``directory``; return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, (header, rows) in build_tables(backend).items():
        path = directory / f"{name}.csv"
        path.write_bytes(render_csv(header, rows).encode("utf-8"))
        out.append(path)
    return out
