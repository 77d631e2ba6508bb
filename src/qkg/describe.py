"""The dataset's own description in VoID and DCAT, generated from the built store.

VoID (https://www.w3.org/TR/void/) gives the statistics: triples per named graph
(``void:subset``, §4.6 of the VoID guide), class and property partitions (§4.5),
the dumps (``void:dataDump``) and, when one is given, the SPARQL endpoint. DCAT 3
(https://www.w3.org/TR/vocab-dcat-3/) gives the catalogue view: title, licence,
publisher, version and one ``dcat:Distribution`` per dump with its IANA media type.

The description is deterministic: ``dcterms:issued`` is ``$SOURCE_DATE_EPOCH``
(the reproducible-builds convention) when set, else the latest issue date among the
source documents, so the same data always gives the same file.
"""
from __future__ import annotations

import datetime
import os

from qkg.namespaces import (BASE, DCAT, DCTERMS, GRAPH, INFERRED_GRAPH, ONTOLOGY, OWL, PREFIXES, QKG,
                            RDF, SOURCES_GRAPH, VOID, XSD)

DATASET = BASE + "dataset"
DUMP_BASE = BASE + "dump/"
FOAF = "http://xmlns.com/foaf/0.1/"
SD = "http://www.w3.org/ns/sparql-service-description#"
IANA = "https://www.iana.org/assignments/media-types/"
TITLE = "qkg: a knowledge graph of quantum-technology policy"
DESCRIPTION = ("Actors, events, venues, strategies, initiatives, posts, roles, observations and outcomes of "
               "quantum-technology policy, each fact tied by an evidence annotation to a verbatim passage "
               "of a source document; one named graph per source document.")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLISHER_NAME = "The qkg developers"
#: Prefixes for the description's Turtle: qkg's plus the dataset vocabularies.
DESCRIBE_PREFIXES = {**PREFIXES, "void": VOID, "dcat": DCAT, "foaf": FOAF, "sd": SD}

_GRAPH_TRIPLES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_SOURCES = f"""SELECT ?doc ?issued WHERE {{ GRAPH <{SOURCES_GRAPH}> {{
  ?doc a <{QKG}SourceDocument> OPTIONAL {{ ?doc <{DCTERMS}issued> ?issued }} }} }}"""
_ONTOLOGY_VERSION = f"SELECT ?v WHERE {{ GRAPH ?g {{ <{ONTOLOGY}> <{OWL}versionInfo> ?v }} }}"


def _asserted_filter() -> str:
    return f"FILTER (?g != <{INFERRED_GRAPH}>)"


def _class_partitions() -> str:
    return f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} {_asserted_filter()} }}
GROUP BY ?c"""


def _property_partitions() -> str:
    return f"""SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_asserted_filter()} }} GROUP BY ?p"""


def _totals() -> str:
    return f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_asserted_filter()} }}"""


def _entities() -> str:
    return f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_asserted_filter()}
FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}"""


def issued_date(source_dates: list[str]) -> str:
    """``$SOURCE_DATE_EPOCH`` as a date when set, else the latest source issue date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date().isoformat()
    days = sorted(d[:10] for d in source_dates if len(d) >= 10)
    return days[-1] if days else "1970-01-01"


def describe_triples(backend, endpoint_url: str | None = None, dump_base: str = DUMP_BASE,
                     formats=None) -> list:
    """The description as pyoxigraph triples (blank nodes for the partitions)."""
    import pyoxigraph as ox

    from qkg import __version__
    from qkg.export import DUMP_FORMATS, FORMATS

    formats = DUMP_FORMATS if formats is None else formats
    n, b = ox.NamedNode, ox.BlankNode
    ds = n(DATASET)
    out: list = []

    def add(s, p, o):
        out.append(ox.Triple(s, n(p), o))

    def lit(value, dt=None, lang=None):
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value), datatype=n(dt)) if dt else ox.Literal(str(value))

    def count(value):
        return lit(int(value), XSD + "integer")

    add(ds, RDF + "type", n(VOID + "Dataset"))
    add(ds, RDF + "type", n(DCAT + "Dataset"))
    add(ds, DCTERMS + "title", lit(TITLE, lang="en"))
    add(ds, DCTERMS + "description", lit(DESCRIPTION, lang="en"))
    add(ds, DCTERMS + "license", n(LICENSE))
    publisher = n(DATASET + "#publisher")
    add(ds, DCTERMS + "publisher", publisher)
    add(ds, DCTERMS + "creator", publisher)
    add(publisher, RDF + "type", n(FOAF + "Agent"))
    add(publisher, FOAF + "name", lit(PUBLISHER_NAME))
    add(ds, DCAT + "version", lit(__version__))
    add(ds, OWL + "versionInfo", lit(__version__))
    add(ds, DCTERMS + "conformsTo", n(ONTOLOGY))
    for row in backend.query(_ONTOLOGY_VERSION).dicts():
        add(n(ONTOLOGY), OWL + "versionInfo", lit(row["v"]))
    sources = backend.query(_SOURCES).dicts()
    add(ds, DCTERMS + "issued", lit(issued_date([str(r.get("issued", "")) for r in sources]), XSD + "date"))
    for row in sorted(sources, key=lambda r: r["doc"]):
        add(ds, DCTERMS + "source", n(row["doc"]))
    add(ds, VOID + "uriSpace", lit(BASE + "id/"))
    totals = backend.query(_totals()).dicts()[0]
    add(ds, VOID + "triples", count(totals["triples"]))
    add(ds, VOID + "distinctSubjects", count(totals["subjects"]))
    add(ds, VOID + "distinctObjects", count(totals["objects"]))
    add(ds, VOID + "entities", count(backend.query(_entities()).dicts()[0]["n"]))
    docs_by_graph = {GRAPH + r["doc"].rsplit("/", 1)[-1]: r["doc"] for r in sources}
    for row in sorted(backend.query(_GRAPH_TRIPLES).dicts(), key=lambda r: r["g"]):
        g = n(row["g"])
        add(ds, VOID + "subset", g)
        add(g, RDF + "type", n(VOID + "Dataset"))
        add(g, RDF + "type", n(SD + "NamedGraph"))
        add(g, SD + "name", g)
        add(g, VOID + "triples", count(row["n"]))
        if row["g"] in docs_by_graph:
            add(g, DCTERMS + "source", n(docs_by_graph[row["g"]]))
        if row["g"] == INFERRED_GRAPH:
            add(g, DCTERMS + "description", lit("Triples inferred at build time (OWL RL closure without "
                                                 "trivia, shortcut rules, normalized date bounds); not in the "
                                                 "dumps, present in the SPARQL endpoint.", lang="en"))
    classes = backend.query(_class_partitions()).dicts()
    props = backend.query(_property_partitions()).dicts()
    add(ds, VOID + "classes", count(len(classes)))
    add(ds, VOID + "properties", count(len(props)))
    for row in sorted(classes, key=lambda r: r["c"]):
        part = b()
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", n(row["c"]))
        add(part, VOID + "entities", count(row["n"]))
    for row in sorted(props, key=lambda r: r["p"]):
        part = b()
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", n(row["p"]))
        add(part, VOID + "triples", count(row["n"]))
    used = {r["p"] for r in props} | {r["c"] for r in classes}
    for prefix, ns in PREFIXES.items():
        if not ns.startswith(BASE + "id/") and ns != GRAPH and any(u.startswith(ns) for u in used):
            add(ds, VOID + "vocabulary", n(ns))
    for fmt in formats:
        spec = FORMATS[fmt]
        url = n(dump_base + "qkg" + spec.extension)
        dist = n(DATASET + "#dump-" + fmt)
        add(ds, VOID + "dataDump", url)
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF + "type", n(DCAT + "Distribution"))
        add(dist, DCTERMS + "title", lit(f"qkg dump ({spec.media_type})", lang="en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "mediaType", n(IANA + spec.media_type))
        add(dist, DCTERMS + "license", n(LICENSE))
    if endpoint_url:
        service = n(DATASET + "#sparql")
        add(ds, VOID + "sparqlEndpoint", n(endpoint_url))
        add(ds, DCAT + "distribution", n(DATASET + "#sparql-distribution"))
        add(n(DATASET + "#sparql-distribution"), RDF + "type", n(DCAT + "Distribution"))
        add(n(DATASET + "#sparql-distribution"), DCAT + "accessService", service)
        add(n(DATASET + "#sparql-distribution"), DCAT + "accessURL", n(endpoint_url))
        add(service, RDF + "type", n(DCAT + "DataService"))
        add(service, DCAT + "endpointURL", n(endpoint_url))
        add(service, DCAT + "servesDataset", ds)
        add(service, DCTERMS + "conformsTo", n("https://www.w3.org/TR/sparql11-protocol/"))
    return out


def describe(backend, endpoint_url: str | None = None, dump_base: str = DUMP_BASE, formats=None) -> str:
    """The VoID and DCAT description of the dataset in ``backend`` as Turtle text.

    :param endpoint_url: the public SPARQL endpoint, if the dataset is served.
    :param dump_base: where the dump files are published.
    """
    import pyoxigraph as ox

    from qkg.export import canonical
    from qkg.export_turtle import write_turtle

    triples = describe_triples(backend, endpoint_url, dump_base, formats)
    quads = canonical(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return write_turtle(((q.subject, q.predicate, q.object) for q in quads), DESCRIBE_PREFIXES)
