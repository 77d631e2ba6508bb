"""Ontology quality, after ROBOT's ``report`` (robot.obolibrary.org/report): checks of
the ontology graph itself — labels, definitions, the ontology header, and terms used
as domain, range or parent without being declared.

Checked terms are our own (``qkg:`` and the ``id/`` code lists): classes, properties,
concepts and concept schemes. Labels are ``rdfs:label`` or ``skos:prefLabel``;
definitions ``skos:definition``.
"""
from __future__ import annotations

from qkg.namespaces import BASE, DCTERMS, OWL, RDF, RDFS, SKOS, shorten

#: code → (severity, what ROBOT calls it)
CHECKS = {
    "QKG-MISSING-LABEL": ("violation", "missing_label"),
    "QKG-MISSING-DEFINITION": ("violation", "missing_definition"),
    "QKG-DUPLICATE-LABEL": ("violation", "duplicate_label"),
    "QKG-MULTIPLE-LABELS": ("violation", "multiple_labels"),
    "QKG-LABEL-WHITESPACE": ("warning", "label_whitespace"),
    "QKG-ONTOLOGY-HEADER": ("violation", "missing_ontology_title/description/license"),
    "QKG-UNDECLARED-DOMAIN-RANGE": ("violation", "undeclared domain or range"),
    "QKG-UNDECLARED-PARENT": ("warning", "undeclared superclass or superproperty"),
}
_TERM_TYPES = {OWL + "Class", RDFS + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
               OWL + "AnnotationProperty", RDF + "Property", SKOS + "Concept", SKOS + "ConceptScheme"}
_HEADER = {DCTERMS + "title": "title", DCTERMS + "description": "description", DCTERMS + "license": "license"}


def own_terms(ontology) -> dict:
    """Our terms in the ontology graph: IRI term → the set of its types (as strings)."""
    from rdflib import RDF as R, URIRef

    concept_classes = {str(s) for s in ontology.subjects(URIRef(RDFS + "subClassOf"), URIRef(SKOS + "Concept"))}
    terms: dict = {}
    for s, o in ontology.subject_objects(R.type):
        if isinstance(s, URIRef) and str(s).startswith(BASE) and (str(o) in _TERM_TYPES or str(o) in concept_classes):
            terms.setdefault(s, set()).add(str(o))
    return terms


def run(ctx) -> list:
    """Stage 3: report label, definition, header and declaration problems."""
    from qkg.namespaces import ONTOLOGY_GRAPH
    from qkg.vocabulary import load

    ont = ctx.ontology
    voc = load(ont, ctx.project.root)
    out = []

    def add(code, message, focus=None):
        out.append(ctx.finding(code, "ontology", CHECKS[code][0], message, focus=focus, graph=ONTOLOGY_GRAPH))

    _header(ont, add)
    _labels(ont, own_terms(ont), add)
    _declarations(ont, voc, add)
    return out


def _header(ont, add) -> None:
    from rdflib import RDF as R, URIRef

    for onto in ont.subjects(R.type, URIRef(OWL + "Ontology")):
        for prop, name in _HEADER.items():
            if ont.value(onto, URIRef(prop)) is None:
                add("QKG-ONTOLOGY-HEADER", f"the ontology has no {name} ({shorten(prop)})", onto)


def _labels(ont, terms: dict, add) -> None:
    from rdflib import Literal, URIRef

    by_label: dict = {}
    for term in sorted(terms):
        labels = [o for p in (RDFS + "label", SKOS + "prefLabel") for o in ont.objects(term, URIRef(p))
                  if isinstance(o, Literal)]
        if not labels:
            add("QKG-MISSING-LABEL", f"{shorten(str(term))} has no rdfs:label or skos:prefLabel", term)
        if ont.value(term, URIRef(SKOS + "definition")) is None:
            add("QKG-MISSING-DEFINITION", f"{shorten(str(term))} has no skos:definition", term)
        per_lang: dict = {}
        for lab in labels:
            per_lang.setdefault(lab.language or "", set()).add(str(lab))
            if str(lab) != " ".join(str(lab).split()):
                add("QKG-LABEL-WHITESPACE", f"label \"{lab}\" has leading, trailing or repeated whitespace", term)
        for lang, values in sorted(per_lang.items()):
            if len(values) > 1:
                shown = ", ".join(f'"{v}"' for v in sorted(values))
                add("QKG-MULTIPLE-LABELS", f"{len(values)} labels in language '{lang or 'none'}': {shown}", term)
            for v in values:
                by_label.setdefault((lang, " ".join(v.lower().split()), _kind(terms[term])), []).append(term)
    for (lang, text, _), owners in sorted(by_label.items()):
        if len(owners) > 1:
            names = ", ".join(shorten(str(t)) for t in sorted(owners))
            add("QKG-DUPLICATE-LABEL", f"label \"{text}\"@{lang} is shared by {names}", sorted(owners)[1])


def _kind(types: set[str]) -> str:
    """Terms of different kinds (a class and a concept) may share a label; same kind may not."""
    if types & {OWL + "Class", RDFS + "Class"}:
        return "class"
    if any(t.endswith("Property") for t in types):
        return "property"
    return "concept"


def _declarations(ont, voc, add) -> None:
    from rdflib import URIRef

    known_classes = voc.classes | voc.datatypes
    checks = (
        (RDFS + "domain", known_classes, "QKG-UNDECLARED-DOMAIN-RANGE", "domain"),
        (RDFS + "range", known_classes, "QKG-UNDECLARED-DOMAIN-RANGE", "range"),
        (RDFS + "subClassOf", voc.classes, "QKG-UNDECLARED-PARENT", "superclass"),
        (RDFS + "subPropertyOf", voc.properties, "QKG-UNDECLARED-PARENT", "superproperty"),
    )
    for prop, known, code, role in checks:
        for s, o in sorted(ont.subject_objects(URIRef(prop))):
            if isinstance(o, URIRef) and str(o) not in known:
                hint = voc.suggest(str(o), known)
                add(code, f"{shorten(str(o))}, the {role} of {shorten(str(s))}, is not declared"
                          + (f"; did you mean {hint}?" if hint else
                             "; declare it or list it in ontology/external/external-terms.ttl"), s)
