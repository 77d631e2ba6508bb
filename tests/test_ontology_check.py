"""qkg.ontology_check: ROBOT-report-like checks of the ontology graph."""
from __future__ import annotations

import pytest

from qkg.validate import validate_project

HEAD = """@prefix qkg: <https://w3id.org/qkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
"""
DEF = 'skos:definition "A test term."@en'
#: case → (Turtle added to the ontology graph, expected (code, severity, focus local name))
CASES = {
    "complete-term": (f'qkg:Widget a owl:Class ; rdfs:label "widget"@en ; {DEF} .', []),
    "missing-label": (f"qkg:Widget a owl:Class ; {DEF} .", [("QKG-MISSING-LABEL", "violation", "Widget")]),
    "missing-definition": ('qkg:Widget a owl:Class ; rdfs:label "widget"@en .',
                           [("QKG-MISSING-DEFINITION", "violation", "Widget")]),
    "duplicate-label": (f'qkg:Widget a owl:Class ; rdfs:label "Event"@en ; {DEF} .',
                        [("QKG-DUPLICATE-LABEL", "violation", "Widget")]),
    "class-and-property-may-share-a-label": (f'qkg:widget a owl:ObjectProperty ; rdfs:label "event"@en ; {DEF} .', []),
    "multiple-labels": (f'qkg:Widget a owl:Class ; rdfs:label "widget"@en , "gadget"@en ; {DEF} .',
                        [("QKG-MULTIPLE-LABELS", "violation", "Widget")]),
    "label-whitespace": (f'qkg:Widget a owl:Class ; rdfs:label "widget  part"@en ; {DEF} .',
                         [("QKG-LABEL-WHITESPACE", "warning", "Widget")]),
    "undeclared-range": (f'qkg:widgetOf a owl:ObjectProperty ; rdfs:label "widget of"@en ; {DEF} ; rdfs:range qkg:Evnt .',
                         [("QKG-UNDECLARED-DOMAIN-RANGE", "violation", "widgetOf")]),
    "unlisted-external-parent": (f'qkg:Widget a owl:Class ; rdfs:label "widget"@en ; {DEF} ; rdfs:subClassOf schema:Thing .',
                                 [("QKG-UNDECLARED-PARENT", "warning", "Widget")]),
    "ontology-header": ("<https://w3id.org/qkg/ontology/extra> a owl:Ontology .",
                        [("QKG-ONTOLOGY-HEADER", "violation", "extra")] * 3),
}


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_ontology_check(project_copy, case):
    body, expected = CASES[case]
    (project_copy.ontology_dir / "zz-test.ttl").write_text(HEAD + body + "\n", encoding="utf-8")
    data = project_copy.data_dir / "quantum-technology-innovation-hubs.ttl"
    report = validate_project(project_copy, files=[data], stages=("syntax", "ontology"))
    found = [(f.code, f.severity, f.focus.rsplit("#", 1)[-1].rsplit("/", 1)[-1]) for f in report.findings]
    assert found == expected


def test_undeclared_range_suggests_the_nearest_class(project_copy):
    body = f'qkg:widgetOf a owl:ObjectProperty ; rdfs:label "widget of"@en ; {DEF} ; rdfs:range qkg:Evnt .'
    (project_copy.ontology_dir / "zz-test.ttl").write_text(HEAD + body + "\n", encoding="utf-8")
    data = project_copy.data_dir / "quantum-technology-innovation-hubs.ttl"
    report = validate_project(project_copy, files=[data], stages=("syntax", "ontology"))
    assert [(f.file, f.line, f.message) for f in report.findings] == [
        ("ontology/zz-test.ttl", 6, "qkg:Evnt, the range of qkg:widgetOf, is not declared; did you mean qkg:Event?")]
