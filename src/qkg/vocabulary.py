"""The vocabulary: which classes, properties and datatypes the data may use.

A term is known when the ontology declares it or when ``ontology/external/
external-terms.ttl`` lists it (the one list of allowed external terms). The stage
reports undeclared classes and properties (with the nearest known term, found with
difflib), derived properties asserted by hand, ill-typed literals and literals
whose datatype contradicts the property's declared ``rdfs:range``.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from qkg.context import from_ox
from qkg.namespaces import OWL, QKG, RDF, RDFS, XSD, shorten
from qkg.parallel import map_threads

EXTERNAL_TERMS = Path("ontology") / "external" / "external-terms.ttl"

_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
_PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                   RDF + "Property", OWL + "TransitiveProperty", OWL + "SymmetricProperty",
                   OWL + "FunctionalProperty", OWL + "InverseFunctionalProperty"}
#: XML Schema built-in datatypes (XSD 1.1 Part 2, section 3) and RDF's own.
XSD_DATATYPES = {XSD + t for t in (
    "string boolean decimal float double duration dateTime time date gYearMonth gYear gMonthDay gDay "
    "gMonth hexBinary base64Binary anyURI QName NOTATION normalizedString token language NMTOKEN "
    "NMTOKENS Name NCName ID IDREF IDREFS ENTITY ENTITIES integer nonPositiveInteger negativeInteger "
    "long int short byte nonNegativeInteger unsignedLong unsignedInt unsignedShort unsignedByte "
    "positiveInteger yearMonthDuration dayTimeDuration dateTimeStamp").split()}
XSD_DATATYPES |= {RDF + "langString", RDF + "HTML", RDF + "XMLLiteral", RDFS + "Literal"}
#: Datatypes whose values a range allows besides itself (xsd:integer is a decimal, …).
_COMPATIBLE = {
    XSD + "decimal": {XSD + "integer"},
    XSD + "string": {RDF + "langString"},
    XSD + "dateTime": {XSD + "dateTimeStamp"},
}


@dataclass
class Vocabulary:
    """Known classes, properties and datatypes, and facts about properties."""

    classes: set[str] = field(default_factory=set)
    properties: set[str] = field(default_factory=set)
    datatypes: set[str] = field(default_factory=lambda: set(XSD_DATATYPES))
    derived: set[str] = field(default_factory=set)
    ranges: dict[str, str] = field(default_factory=dict)

    def suggest(self, iri: str, among: set[str]) -> str | None:
        """The known term of the same namespace nearest to ``iri`` (by local name,
        case-insensitive), as a prefixed name; None when nothing is close."""
        ns, local = split(iri)
        keys = {split(t)[1].lower(): t for t in sorted(among) if split(t)[0] == ns}
        close = difflib.get_close_matches(local.lower(), list(keys), n=1, cutoff=0.75)
        return shorten(keys[close[0]]) if close else None


def split(iri: str) -> tuple[str, str]:
    """``(namespace, local name)``: cut after the last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    return iri[:cut], iri[cut:]


def load(ontology, root: Path) -> Vocabulary:
    """The vocabulary of the ontology graph plus the external-terms list under ``root``.

    :raises RdfSyntaxError, InputError: the external-terms file is broken or missing.
    """
    from rdflib import RDF as R, Literal, URIRef

    from qkg.rdfio import parse_graph

    voc = Vocabulary()
    external = parse_graph(root / EXTERNAL_TERMS, str(EXTERNAL_TERMS))
    for g in (ontology, external):
        for s, o in g.subject_objects(R.type):
            if not isinstance(s, URIRef):
                continue
            if str(o) in _CLASS_TYPES:
                voc.classes.add(str(s))
            elif str(o) in _PROPERTY_TYPES:
                voc.properties.add(str(s))
            elif str(o) == RDFS + "Datatype":
                voc.datatypes.add(str(s))
    for s, o in ontology.subject_objects(URIRef(QKG + "derived")):
        if isinstance(o, Literal) and o.toPython() is True:
            voc.derived.add(str(s))
    for s, o in ontology.subject_objects(URIRef(RDFS + "range")):
        if str(o) in voc.datatypes and str(o) != RDFS + "Literal":
            voc.ranges[str(s)] = str(o)
    return voc


_PREDICATES = "SELECT ?g ?t (SAMPLE(?s) AS ?x) WHERE { GRAPH ?g { ?s ?t ?o } } GROUP BY ?g ?t"
_CLASSES = f"SELECT ?g ?t (SAMPLE(?s) AS ?x) WHERE {{ GRAPH ?g {{ ?s <{RDF}type> ?t }} }} GROUP BY ?g ?t"
_SUPPORTED = f"SELECT ?g ?t (SAMPLE(?s) AS ?x) WHERE {{ GRAPH ?g {{ ?s <{QKG}supports> ?t }} }} GROUP BY ?g ?t"
#: Every typed literal once (GROUP BY first: the FILTER then tests distinct values,
#: not statements), for the Python test of its lexical form.
_TYPED = (f"SELECT ?o WHERE {{ {{ SELECT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?o }} "
          f"FILTER(isLiteral(?o) && DATATYPE(?o) NOT IN (<{XSD}string>, <{RDF}langString>)) }}")


def run(ctx) -> list:
    """Stage 2: check every statement of the graphs in scope against the vocabulary.

    The statements are read by a few queries on :attr:`qkg.context.Context.quads`
    (each term once per graph; literals once, then the statements of the bad ones),
    not one by one: 1M triples in about 3.5 s.
    """
    from qkg.namespaces import REFERENCE_GRAPH, SOURCES_GRAPH

    voc = load(ctx.ontology, ctx.project.root)
    store, scope = ctx.quads, ctx.scope
    out, seen = [], set()

    def once(key, make):
        if key not in seen:
            seen.add(key)
            out.append(make())

    def per_graph(text: str) -> list[tuple]:
        rows = [(r["g"].value, r["t"], r["x"]) for r in store.query(text)]
        return sorted((g, t, x) for g, t, x in rows if g in scope)

    predicates, classes, supported, typed = map_threads(lambda run: run(), (
        lambda: per_graph(_PREDICATES), lambda: per_graph(_CLASSES), lambda: per_graph(_SUPPORTED),
        lambda: list(store.query(_TYPED))))
    for g, t, x in predicates:
        if t.value not in voc.properties:
            once((g, "p", t.value), lambda: _undeclared(ctx, voc, g, t.value, "property", from_ox(x)))
    for g, t, x in classes:
        if isinstance(t, ox.NamedNode) and t.value not in voc.classes:
            once((g, "c", t.value), lambda: _undeclared(ctx, voc, g, t.value, "class", from_ox(x)))
    for g, t, x in supported:
        if isinstance(t, ox.NamedNode) and t.value not in voc.properties:
            once((g, "p", t.value), lambda: _undeclared(ctx, voc, g, t.value, "property", from_ox(x)))
    for g, prop, s in _derived(store, voc, [(g, t.value) for g, t, _ in predicates
                                            if g not in (REFERENCE_GRAPH, SOURCES_GRAPH)]):
        once((g, "d", prop, s), lambda: ctx.finding(
            "QKG-DERIVED-ASSERTED", "vocabulary", "violation",
            f"{shorten(prop)} is derived at build time and must not be asserted; remove the statement",
            focus=s, graph=g, path=prop))
    for g, s, p, o in _literal_statements(store, voc, [row[0] for row in typed]):
        if g not in scope:
            continue
        problem = literal_problem(o, voc.ranges.get(str(p)), voc.datatypes)
        if problem:
            code, msg = problem
            once((g, "l", s, p, o), lambda: ctx.finding(
                code, "vocabulary", "violation", f"{shorten(str(p))}: {msg}", focus=s, graph=g, path=str(p)))
    return out


def _derived(store, voc: Vocabulary, used: list[tuple[str, str]]) -> list[tuple]:
    """``(graph, property, subject)`` of each derived property asserted in a source graph."""
    out = []
    for g, prop in used:
        if prop in voc.derived:
            rows = store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{g}> {{ ?s <{prop}> ?o }} }}")
            out += sorted(((g, prop, from_ox(r["s"])) for r in rows), key=lambda t: str(t[2]))
    return out


def _literal_statements(store, voc: Vocabulary, typed: list) -> list[tuple]:
    """``(graph, s, p, o)`` (o an rdflib literal) of every statement whose literal may be
    at fault: the literals of unknown datatype or ill-typed (tested in Python, once
    each), and those of a property with a datatype range they do not have."""
    bad = [t for t in typed if literal_problem(from_ox(t), None, voc.datatypes)]
    queries = [(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?o {{ {' '.join(map(str, bad))} }} GRAPH ?g {{ ?s ?p ?o }} }}",
                None)] if bad else []
    for prop, range_iri in sorted(voc.ranges.items()):
        allowed = ", ".join(f"<{d}>" for d in sorted({range_iri, *_COMPATIBLE.get(range_iri, ())}))
        queries.append((f"SELECT ?g ?s ?o WHERE {{ GRAPH ?g {{ ?s <{prop}> ?o }} "
                        f"FILTER(isLiteral(?o) && DATATYPE(?o) NOT IN ({allowed})) }}", prop))

    def statements(query: tuple) -> set[tuple]:
        text, prop = query
        return {(r["g"].value, from_ox(r["s"]), URIRef(prop) if prop else from_ox(r["p"]), from_ox(r["o"]))
                for r in store.query(text)}

    found = set().union(*map_threads(statements, queries))
    return sorted(found, key=lambda t: (t[0], str(t[1]), str(t[2]), str(t[3])))


def literal_problem(lit, range_iri: str | None, datatypes: set[str]) -> tuple[str, str] | None:
    """``(code, message)`` when literal ``lit`` is ill-typed or outside ``range_iri``."""
    dt = str(lit.datatype) if lit.datatype else (RDF + "langString" if lit.language else XSD + "string")
    if dt.startswith(XSD) and dt not in datatypes:
        return "QKG-UNKNOWN-DATATYPE", f"unknown datatype {shorten(dt)} on \"{lit}\"; use an XML Schema built-in type"
    if getattr(lit, "ill_typed", False):
        return "QKG-ILL-TYPED-LITERAL", f"\"{lit}\" is not a valid {shorten(dt)}"
    if range_iri and dt != range_iri and dt not in _COMPATIBLE.get(range_iri, ()):
        return ("QKG-DATATYPE-RANGE",
                f"\"{lit}\" is a {shorten(dt)} but the property's range is {shorten(range_iri)}")
    return None


def _undeclared(ctx, voc: Vocabulary, graph_iri: str, iri: str, kind: str, subject):
    """A finding for an unknown term, placed where the term is first written."""
    among, other = (voc.properties, voc.classes) if kind == "property" else (voc.classes, voc.properties)
    hint = voc.suggest(iri, among)
    if iri in other:
        why = f"{shorten(iri)} is declared as a {'class' if kind == 'property' else 'property'}, used as a {kind}"
        fix = f"; did you mean {hint}?" if hint else f"; use a {kind} here"
    else:
        why = f"undeclared {kind} {shorten(iri)}"
        fix = f"; did you mean {hint}?" if hint else f"; declare it in ontology/qkg.ttl or list it in {EXTERNAL_TERMS}"
    code = "QKG-UNDECLARED-PROPERTY" if kind == "property" else "QKG-UNDECLARED-CLASS"
    file, line = ctx.locator.term(iri, graph_iri) or (None, None)
    return ctx.finding(code, "vocabulary", "violation", why + fix, focus=subject, graph=graph_iri,
                       file=file, line=line)
