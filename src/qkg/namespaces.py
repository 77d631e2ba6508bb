"""The IRI namespaces of qkg: one base, set here and nowhere else in the code."""
from __future__ import annotations

BASE = "https://w3id.org/qkg/"
ONTOLOGY = BASE + "ontology"
QKG = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

#: Named graphs that are not source documents.
ONTOLOGY_GRAPH = GRAPH + "ontology"
REFERENCE_GRAPH = GRAPH + "reference"
SOURCES_GRAPH = GRAPH + "sources"
INFERRED_GRAPH = GRAPH + "inferred"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
TIME = "http://www.w3.org/2006/time#"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
VANN = "http://purl.org/vocab/vann/"

#: Kinds of things, each with its own prefix (Turtle prefixed names cannot contain '/').
KINDS = {
    "qorg": "org",
    "qperson": "person",
    "qgroup": "group",
    "qcountry": "country",
    "qplace": "place",
    "qevent": "event",
    "qseries": "event-series",
    "qstrategy": "strategy",
    "qinit": "initiative",
    "qpartnership": "partnership",
    "qdoc": "doc",
    "qpost": "post",
    "qholding": "post-holding",
    "qpart": "participation",
    "qobs": "observation",
    "qoutcome": "outcome",
    "qagenda": "agenda-item",
    "qcontact": "contact-point",
    "qrole": "role",
    "qtopic": "topic",
    "qmeasure": "measure",
    "qstatus": "event-status",
}

#: Every prefix qkg knows, for queries, exports and messages.
PREFIXES: dict[str, str] = {
    "qkg": QKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "org": ORG,
    "prov": PROV,
    "oa": OA,
    **{prefix: ID + kind + "/" for prefix, kind in KINDS.items()},
    "qgraph": GRAPH,
}


def graph_iri(source_id: str) -> str:
    """The named graph IRI of a source document."""
    return GRAPH + source_id


def doc_iri(source_id: str) -> str:
    """The IRI of a source document as an entity."""
    return ID + "doc/" + source_id


def shorten(iri: str) -> str:
    """A prefixed name for ``iri`` where a known prefix fits, else the IRI in <>."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns):]
            if local and "/" not in local and "#" not in local:
                best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]):]}"
    return f"<{iri}>"


def sparql_prologue() -> str:
    """PREFIX declarations for every known prefix."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
