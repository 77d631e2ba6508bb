"""The fast reasoner infers exactly what owlrl infers, less owlrl's junk.

Each case is a small ontology and data graph run through both reasoners; the project
data is the last, largest case. Blank node labels differ between the two parsers, so
triples are compared with blank nodes written as ``_:`` (a multiset, not a set).
"""
from __future__ import annotations

from collections import Counter

import pytest

PREFIXES = """@prefix : <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

#: name → Turtle (schema and data together); both reasoners must agree on each.
CASES = {
    "subclass-chain": ":A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :x a :A .",
    "subclass-cycle": ":A rdfs:subClassOf :B . :B rdfs:subClassOf :A . :x a :A .",
    "equivalent-class": ":A owl:equivalentClass :B . :x a :B .",
    "declared-classes": ":A a owl:Class . :B a owl:Class ; rdfs:subClassOf :A . :x a :B .",
    "subproperty": ":p rdfs:subPropertyOf :q . :q rdfs:subPropertyOf :r . :x :p :y .",
    "equivalent-property": ":p owl:equivalentProperty :q . :x :q :y .",
    "inverse": ":p owl:inverseOf :q . :q rdfs:subPropertyOf :r . :x :p :y . :a :q :b .",
    "symmetric": ":p a owl:SymmetricProperty . :x :p :y . :y :p :y .",
    "transitive": ":p a owl:TransitiveProperty . :a :p :b . :b :p :c . :c :p :d .",
    "transitive-cycle": ":p a owl:TransitiveProperty . :a :p :b . :b :p :a .",
    "transitive-symmetric-junk": "skos:exactMatch a owl:SymmetricProperty , owl:TransitiveProperty . "
                                 ":a skos:exactMatch :b . :b skos:exactMatch :c .",
    "subproperty-of-transitive": ":p rdfs:subPropertyOf :t . :t a owl:TransitiveProperty . :a :p :b . :b :p :c .",
    "domain-range": ":p rdfs:domain :A ; rdfs:range :B . :A rdfs:subClassOf :C . :q rdfs:subPropertyOf :p . "
                    ":x :q :y .",
    "range-literal": ":p rdfs:range xsd:integer . :x :p 3 .",
    "range-of-inverse": ":p owl:inverseOf :q . :q rdfs:range :B . :x :p :y .",
    "inverse-on-literal": ":p owl:inverseOf :q . :x :p \"text\" .",
    "annotation-subproperty": "skos:prefLabel rdfs:subPropertyOf rdfs:label . :x skos:prefLabel \"x\"@en .",
    "trivial-objects": ":A rdfs:subClassOf owl:Thing . :x a :A . :p rdfs:range rdfs:Resource . :x :p :y .",
    "several-rows-per-term": ":A rdfs:subClassOf :B , :C . :B rdfs:subClassOf :D . :p rdfs:domain :A , :E ; "
                             "rdfs:range :F , :B ; rdfs:subPropertyOf :q , :r . :q owl:inverseOf :s . "
                             ":x :p :y , :z . :w a :A , :B . :y :q :x .",
    "blank-nodes": ":p rdfs:domain :A . [] :p [ a :B ] . :B rdfs:subClassOf :C .",
    "disjoint-classes": ":A owl:disjointWith :B . :C rdfs:subClassOf :B . :x a :A , :C .",
    "ill-typed-integer": ":x :p \"twelve\"^^xsd:integer ; :q \"12\"^^xsd:integer .",
    "ill-typed-date-time": ":x :p \"2023-02-30T10:00:00Z\"^^xsd:dateTime ; :q \"2023-02-03T10:00:00Z\"^^xsd:dateTime .",
}

#: cases on which owlrl reports an inconsistency (the rest report none)
ERRORS = {"disjoint-classes": "Disjoint classes", "ill-typed-integer": "Lexical value",
          "ill-typed-date-time": "Lexical value"}


def _key(term) -> str:
    import pyoxigraph as ox

    return "_:" if isinstance(term, ox.BlankNode) else str(term)


def fast_inferred(ttl: str, rules=()) -> tuple[Counter, list[str]]:
    import pyoxigraph as ox

    from qkg.fastreason import materialize
    from qkg.namespaces import INFERRED_GRAPH

    store = ox.Store()
    store.load(ttl.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g"))
    done = materialize(store, rules)
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
    return Counter(" ".join(_key(t) for t in (q.subject, q.predicate, q.object)) for q in quads), done.errors


def owlrl_inferred(ttl: str) -> tuple[Counter, list[str]]:
    import rdflib

    from qkg.build import to_oxigraph
    from qkg.graph import owlrl_closure

    graph = rdflib.Graph().parse(data=ttl, format="turtle")
    closure = owlrl_closure(graph)
    return Counter(" ".join(_key(to_oxigraph(t)) for t in triple) for triple in closure.inferred), closure.errors


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_reasoner_infers_what_owlrl_infers(name):
    ttl = PREFIXES + CASES[name]
    fast, fast_errors = fast_inferred(ttl)
    reference, reference_errors = owlrl_inferred(ttl)
    assert sorted(fast.elements()) == sorted(reference.elements())
    assert fast_errors == reference_errors
    assert [e.split(" ")[0] for e in fast_errors] == ([ERRORS[name].split(" ")[0]] if name in ERRORS else [])


@pytest.mark.parametrize("construct", ["owl:FunctionalProperty", "owl:propertyChainAxiom", "owl:someValuesFrom"])
def test_unsupported_owl_is_refused(construct):
    from qkg.fastreason import UnsupportedOntology

    ttl = PREFIXES + (f":p a {construct} ." if construct.endswith("Property") else f":p {construct} :q .")
    with pytest.raises(UnsupportedOntology, match=construct.split(":")[1]):
        fast_inferred(ttl)


@pytest.fixture(scope="module")
def project_stores(project, tmp_path_factory):
    """The project built by both reasoners into private caches."""
    import os

    from qkg.build import build

    out = {}
    for reasoner in ("fast", "owlrl"):
        old = os.environ.get("QKG_CACHE_DIR")
        os.environ["QKG_CACHE_DIR"] = str(tmp_path_factory.mktemp(f"cache-{reasoner}"))
        try:
            out[reasoner] = build(project, reasoner=reasoner, incremental=False)
        finally:
            if old is None:
                del os.environ["QKG_CACHE_DIR"]
            else:
                os.environ["QKG_CACHE_DIR"] = old
    return out


def _graph_triples(path, graph: str) -> Counter:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(path))
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    return Counter(" ".join(_key(t) for t in (q.subject, q.predicate, q.object)) for q in quads)


def test_project_fast_build_infers_what_owlrl_infers(project_stores):
    from qkg.namespaces import INFERRED_GRAPH

    fast = _graph_triples(project_stores["fast"].path, INFERRED_GRAPH)
    reference = _graph_triples(project_stores["owlrl"].path, INFERRED_GRAPH)
    assert sorted((fast - reference).elements()) == []
    assert sorted((reference - fast).elements()) == []


def test_project_fast_build_stores_the_same_asserted_graphs(project_stores):
    assert project_stores["fast"].graphs == project_stores["owlrl"].graphs
    assert project_stores["fast"].errors == project_stores["owlrl"].errors == []
