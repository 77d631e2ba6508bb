"""qkg.graph: loading the inputs and the owlrl closure (junk removed, no inconsistency)."""
from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef

from qkg.graph import is_junk, load_inputs, owlrl_closure
from qkg.namespaces import OWL, QKG, RDF, RDFS, SKOS

EX = "https://w3id.org/qkg/id/org/"

JUNK = {
    "literal-subject": (Literal("x"), URIRef(RDF + "type"), URIRef(RDFS + "Literal")),
    "reflexive-sameas": (URIRef(EX + "a"), URIRef(OWL + "sameAs"), URIRef(EX + "a")),
    "reflexive-subclass": (URIRef(QKG + "Event"), URIRef(RDFS + "subClassOf"), URIRef(QKG + "Event")),
    "reflexive-exactmatch": (URIRef(EX + "t"), URIRef(SKOS + "exactMatch"), URIRef(EX + "t")),
    "builtin-subject": (URIRef(OWL + "Thing"), URIRef(RDF + "type"), URIRef(OWL + "Class")),
    "thing-type": (URIRef(EX + "a"), URIRef(RDF + "type"), URIRef(OWL + "Thing")),
    "resource-type": (BNode("b"), URIRef(RDF + "type"), URIRef(RDFS + "Resource")),
}
KEPT = {
    "inferred-class": (URIRef(EX + "mext"), URIRef(RDF + "type"), URIRef(QKG + "GovernmentBody")),
    "inverse": (URIRef(EX + "aist"), URIRef(QKG + "hasSubOrganization"), URIRef(EX + "g-quat")),
    "symmetric-match": (URIRef(EX + "t1"), URIRef(SKOS + "exactMatch"), URIRef(EX + "t2")),
}


@pytest.mark.parametrize("name", sorted(JUNK), ids=sorted(JUNK))
def test_junk_is_recognized(name):
    assert is_junk(*JUNK[name])


@pytest.mark.parametrize("name", sorted(KEPT), ids=sorted(KEPT))
def test_information_is_kept(name):
    assert not is_junk(*KEPT[name])


@pytest.fixture(scope="module")
def closure(project):
    return owlrl_closure(load_inputs(project).merged())


def test_closure_has_no_error_nodes(closure):
    assert closure.errors == []


def test_closure_holds_no_junk(closure):
    assert [t for t in closure.inferred if is_junk(*t)] == []


@pytest.mark.parametrize("triple", [
    ("id/org/mext", RDF + "type", QKG + "GovernmentBody"),
    ("id/org/g-quat", QKG + "withinOrganization", "id/org/aist"),
    ("id/org/aist", QKG + "hasSubOrganization", "id/org/g-quat"),
    ("id/topic/human-resources-development", SKOS + "exactMatch", "id/topic/workforce-skills-development"),
    ("id/event/2023-05-12-g7-science-and-technology-ministers-meeting", QKG + "subEvent",
     "id/event/2023-05-14-quantum-innovation-high-level-meeting"),
], ids=["subclass", "transitive", "inverse", "symmetric", "inverse-of-sub-property"])
def test_closure_infers(closure, triple):
    base = "https://w3id.org/qkg/"
    s, p, o = (URIRef(x if x.startswith("http") else base + x) for x in triple)
    assert (s, p, o) in closure.inferred
