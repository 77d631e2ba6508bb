"""qkg.vocabulary: declared terms, suggestions, derived properties, literal datatypes."""
from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from qkg.namespaces import QKG, XSD
from qkg.vocabulary import XSD_DATATYPES, Vocabulary, literal_problem, load
from qkg.validate import validate_project

VOC = Vocabulary(properties={QKG + "startDate", QKG + "hostedBy", QKG + "post", "http://www.w3.org/2000/01/rdf-schema#label"})

SUGGEST = {
    "case-only": (QKG + "startdate", QKG + "startDate"),
    "one-letter-off": (QKG + "hostedBi", QKG + "hostedBy"),
    "nothing-close": (QKG + "venueOf", None),
    "other-namespace-never-suggested": ("http://example.org/startDate", None),
}


@pytest.mark.parametrize("case", sorted(SUGGEST), ids=sorted(SUGGEST))
def test_suggest(case):
    iri, expected = SUGGEST[case]
    assert VOC.suggest(iri, VOC.properties) == (expected and "qkg:" + expected[len(QKG):])


LITERALS = {
    "valid-date": (Literal("2024-03-01", datatype=URIRef(XSD + "date")), XSD + "date", None),
    "no-day-30-february": (Literal("2024-02-30", datatype=URIRef(XSD + "date")), None, "QKG-ILL-TYPED-LITERAL"),
    "integer-not-a-number": (Literal("seventh", datatype=URIRef(XSD + "integer")), None, "QKG-ILL-TYPED-LITERAL"),
    "string-for-integer-range": (Literal("7"), XSD + "integer", "QKG-DATATYPE-RANGE"),
    "integer-fits-decimal-range": (Literal("7", datatype=URIRef(XSD + "integer")), XSD + "decimal", None),
    "lang-string-fits-string-range": (Literal("x", lang="en"), XSD + "string", None),
    "typo-datatype": (Literal("2024", datatype=URIRef(XSD + "gyear")), None, "QKG-UNKNOWN-DATATYPE"),
    "no-range-no-problem": (Literal("anything"), None, None),
}


@pytest.mark.parametrize("case", sorted(LITERALS), ids=sorted(LITERALS))
def test_literal_problem(case):
    lit, range_iri, expected = LITERALS[case]
    problem = literal_problem(lit, range_iri, XSD_DATATYPES)
    assert (problem[0] if problem else None) == expected


HEAD = """@prefix qkg: <https://w3id.org/qkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix qevent: <https://w3id.org/qkg/id/event/> .
"""
#: case → (Turtle after HEAD, expected (code, line, message))
DOCS = {
    "declared-terms": ('qevent:m a qkg:Meeting ; rdfs:label "M"@en .\n', []),
    "typo-property": ('qevent:m a qkg:Meeting ;\n  qkg:startdate "2024"^^xsd:gYear .\n',
                      [("QKG-UNDECLARED-PROPERTY", 8, "undeclared property qkg:startdate; did you mean qkg:startDate?")]),
    "class-as-property": ('qevent:m qkg:Meeting qevent:n .\n',
                          [("QKG-UNDECLARED-PROPERTY", 7, "qkg:Meeting is declared as a class, used as a property; "
                                                          "use a property here")]),
    "unlisted-external-class": ('qevent:m a schema:Festival .\n',
                                [("QKG-UNDECLARED-CLASS", 7, "undeclared class schema:Festival; declare it "
                                                             "in ontology/qkg.ttl or list it in ontology/external/external-terms.ttl")]),
    "derived-asserted": ('qevent:m a qkg:Meeting ;\n  qkg:latestEnd "2024-03-01"^^xsd:date .\n',
                         [("QKG-DERIVED-ASSERTED", 7, "qkg:latestEnd is derived at build time and must not be asserted; "
                                                      "remove the statement")]),
    "typo-in-supports": ('[] a oa:Annotation ; oa:hasBody qevent:m ; qkg:supports qkg:startdate .\n',
                         [("QKG-UNDECLARED-PROPERTY", 7, "undeclared property qkg:startdate; did you mean qkg:startDate?")]),
}


@pytest.mark.parametrize("case", sorted(DOCS), ids=sorted(DOCS))
def test_vocabulary_stage(project_copy, case):
    body, expected = DOCS[case]
    data = project_copy.data_dir / "doc.ttl"
    data.write_text(HEAD + body, encoding="utf-8")
    report = validate_project(project_copy, files=[data], stages=("syntax", "vocabulary"))
    assert [(f.code, f.line, f.message) for f in report.findings] == expected


def test_external_terms_are_typed(project):
    voc = load(__import__("rdflib").Graph(), project.root)
    assert "http://www.w3.org/ns/oa#exact" in voc.properties
    assert "https://schema.org/Event" in voc.classes
    assert voc.classes.isdisjoint(voc.properties)


def test_derived_and_ranges_come_from_the_ontology(project):
    from qkg.graph import load_inputs
    from qkg.namespaces import ONTOLOGY_GRAPH

    ontology = load_inputs(project, files=[(ONTOLOGY_GRAPH, project.ontology_dir / "qkg.ttl")]).graphs[ONTOLOGY_GRAPH]
    voc = load(ontology, project.root)
    assert {QKG + "earliestStart", QKG + "latestEnd", QKG + "holds", QKG + "foundingDate"} <= voc.derived
    assert voc.ranges[QKG + "editionNumber"] == XSD + "integer"
