"""qkg.locate: subjects, terms and blank nodes of Turtle files mapped to lines."""
from __future__ import annotations

import pytest
import rdflib

from qkg.locate import Locator, anchor, scan_text

EX = "http://example.org/"
TARGET = rdflib.URIRef(EX + "target")
HAS_BODY = rdflib.URIRef("http://www.w3.org/ns/oa#hasBody")
TTL = """@prefix ex: <http://example.org/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
PREFIX q: <http://example.org/q/>

ex:a a ex:Thing ;
    ex:name "a ; tricky . string" ;
    ex:long \"\"\"two
lines\"\"\" .

# a comment with ex:b in it
ex:b ex:list ( ex:x ex:y ) ;
    ex:rel [ ex:kind ex:inner ;
             ex:value "inner" ] .
<http://example.org/c> ex:rel ex:a .
q:with.dot ex:p 1.5 , true .
[] a ex:Annotation ; oa:hasBody ex:a ;
   ex:target [ ex:exact "quoted" ] .
[] a ex:Annotation ; oa:hasBody ex:b ;
   ex:target [ ex:exact "quoted" ] .
"""

SUBJECTS = {
    "prefixed-name": (EX + "a", 5),
    "after-comment-mentioning-it": (EX + "b", 11),
    "full-iri": (EX + "c", 14),
    "local-name-with-dot": (EX + "q/with.dot", 15),
}


@pytest.mark.parametrize("case", sorted(SUBJECTS), ids=sorted(SUBJECTS))
def test_subject_lines(case):
    iri, line = SUBJECTS[case]
    assert scan_text(TTL).subjects[iri] == line


def test_terms_first_occurrence_outside_comments():
    terms = scan_text(TTL).terms
    assert (terms[EX + "inner"], terms[EX + "y"], terms[EX + "Annotation"]) == (12, 11, 16)


def test_triple_count_matches_rdflib():
    assert len(scan_text(TTL).triples) == len(rdflib.Graph().parse(data=TTL, format="turtle"))


@pytest.fixture(scope="module")
def located(tmp_path_factory):
    path = tmp_path_factory.mktemp("locate") / "t.ttl"
    path.write_text(TTL, encoding="utf-8")
    g = rdflib.Graph().parse(path)
    return g, Locator([("g", path)], shown=lambda p: p.name)


BNODES = {
    # blank node picked by one of its triples → line of its "["
    "nested-value": ((None, EX + "value", "inner"), 12),
    "second-of-two-identical-selectors": ((None, EX + "exact", "quoted", EX + "b"), 19),
    "first-of-two-identical-selectors": ((None, EX + "exact", "quoted", EX + "a"), 17),
    "top-level-annotation": ((None, "http://www.w3.org/ns/oa#hasBody", EX + "b"), 18),
}


def _bnode(g, spec):
    """The blank node with triple ``(_, p, o)``; with a fourth item, the one whose
    annotation (``ex:target`` of it) has that ``oa:hasBody``."""
    _, p, o, *body = spec
    obj = rdflib.URIRef(o) if o.startswith("http") else rdflib.Literal(o)
    for s in g.subjects(rdflib.URIRef(p), obj):
        if not body or (next(g.subjects(TARGET, s)), HAS_BODY, rdflib.URIRef(body[0])) in g:
            return s
    raise LookupError(spec)


@pytest.mark.parametrize("case", sorted(BNODES), ids=sorted(BNODES))
def test_blank_node_lines(located, case):
    g, loc = located
    spec, line = BNODES[case]
    assert loc.bnode(g, _bnode(g, spec), "g") == ("t.ttl", line)


ANCHORS = {
    "nested-under-iri": ((None, EX + "value", "inner"), EX + "b"),
    "annotation-to-its-body": ((None, "http://www.w3.org/ns/oa#hasBody", EX + "a"), EX + "a"),
    "selector-through-annotation": ((None, EX + "exact", "quoted", EX + "b"), EX + "b"),
}


@pytest.mark.parametrize("case", sorted(ANCHORS), ids=sorted(ANCHORS))
def test_anchor(located, case):
    g, _ = located
    spec, expected = ANCHORS[case]
    assert str(anchor(g, _bnode(g, spec))) == expected
