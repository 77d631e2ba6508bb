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

from qkg.namespaces import OWL, QKG, RDF, RDFS, XSD, shorten

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


def run(ctx) -> list:
    """Stage 2: check every triple of the data graphs in scope against the vocabulary."""
    from rdflib import RDF as R, Literal, URIRef

    from qkg.namespaces import REFERENCE_GRAPH, SOURCES_GRAPH

    voc = load(ctx.ontology, ctx.project.root)
    supports = URIRef(QKG + "supports")
    out, seen = [], set()

    def once(key, make):
        if key not in seen:
            seen.add(key)
            out.append(make())

    for graph_iri in sorted(ctx.scope):
        g = ctx.graphs.get(graph_iri)
        if g is None:
            continue
        source_graph = graph_iri not in (REFERENCE_GRAPH, SOURCES_GRAPH)
        for s, p, o in g:
            ps = str(p)
            if ps not in voc.properties:
                once((graph_iri, "p", ps), lambda: _undeclared(ctx, voc, graph_iri, ps, "property", s))
            elif ps in voc.derived and source_graph:
                once((graph_iri, "d", ps, s), lambda: ctx.finding(
                    "QKG-DERIVED-ASSERTED", "vocabulary", "violation",
                    f"{shorten(ps)} is derived at build time and must not be asserted; remove the statement",
                    focus=s, graph=graph_iri, path=ps))
            if p == R.type and isinstance(o, URIRef) and str(o) not in voc.classes:
                once((graph_iri, "c", str(o)), lambda: _undeclared(ctx, voc, graph_iri, str(o), "class", s))
            if p == supports and isinstance(o, URIRef) and str(o) not in voc.properties:
                once((graph_iri, "p", str(o)), lambda: _undeclared(ctx, voc, graph_iri, str(o), "property", s))
            if isinstance(o, Literal):
                problem = literal_problem(o, voc.ranges.get(ps), voc.datatypes)
                if problem:
                    code, msg = problem
                    once((graph_iri, "l", s, p, o), lambda: ctx.finding(
                        code, "vocabulary", "violation", f"{shorten(ps)}: {msg}", focus=s, graph=graph_iri, path=ps))
    return out


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
