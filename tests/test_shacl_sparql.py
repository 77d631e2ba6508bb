"""The SPARQL SHACL engine gives pyshacl's results on the same store: every shape
fixture, the project, 10k synthetic triples; it refuses what it does not compile (and
``shacl_on_store`` then falls back to pyshacl); it counts a triple stated in two named
graphs once."""
from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHAPE_NAMES = sorted(p.stem for p in (ROOT / "ontology" / "shapes").glob("*.ttl"))
FIXTURES = [(name, kind) for name in SHAPE_NAMES for kind in ("violating", "conforming")]

EX = "@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .\n"
#: One shape per feature the compiler refuses, with data that breaks it.
UNSUPPORTED = {
    "closed": ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; "
               "sh:property [ sh:path ex:p ] .", "ex:a a ex:C ; ex:q 1 ."),
    "sequence-path": ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
                      "sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .", "ex:a a ex:C ."),
    "sparql-minus": ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
                     "\"SELECT $this WHERE { $this ?p ?o MINUS { $this <http://example.org/p> ?o } }\" ] .",
                     "ex:a a ex:C ."),
}
#: (query, the query with each multi-triple EXISTS chained one triple at a time).
CHAINED = [
    ("ASK { FILTER NOT EXISTS { ?a <p> ?b . ?b ?v ?o } }",
     "ASK { FILTER NOT EXISTS { ?a <p> ?b . FILTER EXISTS { ?b ?v ?o . } } }"),
    ("ASK { FILTER NOT EXISTS { ?a a ?t . ?t <s>+ <E> . FILTER (?t != <E>) } }",
     "ASK { FILTER NOT EXISTS { ?a a ?t . FILTER EXISTS { ?t <s>+ <E> . FILTER (?t != <E>) } } }"),
    ("ASK { FILTER NOT EXISTS { ?a <p> ?b ; <q> ?c } }", "ASK { FILTER NOT EXISTS { ?a <p> ?b ; <q> ?c } }"),
    ("ASK { FILTER EXISTS { ?a <p>|<q> ?b } }", "ASK { FILTER EXISTS { ?a <p>|<q> ?b } }"),
]


def _key(r) -> tuple:
    """Everything but the message text."""
    return (r.focus, r.path, r.value, r.component, r.severity, r.shape)


def _counts(results) -> list:
    return sorted(Counter(map(_key, results)).items(), key=repr)


def _build(project, cache: Path):
    import os

    from qkg.build import build

    old = os.environ.get("QKG_CACHE_DIR")
    os.environ["QKG_CACHE_DIR"] = str(cache)
    try:
        return build(project, incremental=False).path
    finally:
        os.environ.pop("QKG_CACHE_DIR") if old is None else os.environ.__setitem__("QKG_CACHE_DIR", old)


def _both(store, shapes) -> tuple[list, list]:
    """(SPARQL engine, pyshacl) results on one store; the engine's are the same whether
    its checks scan a path's statements or look them up per focus node."""
    from qkg.fastvalidate import shacl_on_store
    from qkg.shacl_plan import MODES
    from qkg.shacl_sparql import validate_store
    from qkg.validate import prepared_sparql

    with prepared_sparql():
        ours = {plan: validate_store(store, shapes, plan=plan) for plan in MODES}
        assert ours["scan"] == ours["auto"] and ours["lookup"] == ours["auto"]
        return ours["auto"], shacl_on_store(store, shapes, engine="pyshacl")


@pytest.mark.parametrize("name,kind", FIXTURES, ids=[f"{n}-{k}" for n, k in FIXTURES])
def test_fixture_results_equal_pyshacl(name, kind, tmp_path):
    """The fixture as the project's reference graph, built with the ontology and its closure."""
    from qkg.paths import Project
    from qkg.shacl import load_shapes

    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "shapes" / name / f"{kind}.ttl", tmp_path / "data" / "reference.ttl")
    store = _build(Project(tmp_path), tmp_path / ".cache")
    ours, theirs = _both(store, load_shapes([ROOT / "ontology" / "shapes" / f"{name}.ttl"]))
    assert _counts(ours) == _counts(theirs)
    assert (ours != []) == (kind == "violating")


def test_fixture_messages_are_the_shapes_messages(tmp_path):
    """Messages too: a SPARQL constraint's ``{?value}`` filled in as pyshacl fills it."""
    from qkg.paths import Project
    from qkg.shacl import load_shapes

    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "shapes" / "participation" / "violating.ttl",
                tmp_path / "data" / "reference.ttl")
    store = _build(Project(tmp_path), tmp_path / ".cache")
    ours, theirs = _both(store, load_shapes([ROOT / "ontology" / "shapes" / "participation.ttl"]))
    assert sorted((_key(r), r.message) for r in ours) == sorted((_key(r), r.message) for r in theirs)


def test_project_results_equal_pyshacl(project, store_path):
    from qkg.shacl import load_shapes

    ours, theirs = _both(store_path, load_shapes(project.shape_files))
    assert _counts(ours) == _counts(theirs)


def test_synthetic_10k_results_equal_pyshacl(tmp_path):
    from qkg.paths import Project
    from qkg.shacl import load_shapes

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    generate.generate(tmp_path / "10k", 10_000, seed=7)
    project = Project(tmp_path / "10k")
    ours, theirs = _both(_build(project, tmp_path / ".cache"), load_shapes(project.shape_files))
    assert _counts(ours) == _counts(theirs)


def _store(turtle_by_graph: dict):
    import pyoxigraph as ox

    store = ox.Store()
    for graph, text in turtle_by_graph.items():
        store.load((EX + text).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    return store


def _shapes(text: str):
    import rdflib

    return rdflib.Graph().parse(data=EX + text, format="turtle")


@pytest.mark.parametrize("feature", sorted(UNSUPPORTED))
def test_unsupported_feature_is_refused(feature):
    from qkg.shacl_compile import UnsupportedShape
    from qkg.shacl_sparql import validate_store

    shapes, data = UNSUPPORTED[feature]
    with pytest.raises(UnsupportedShape):
        validate_store(_store({"http://example.org/g": data}), _shapes(shapes), union=True)


def test_unsupported_shape_falls_back_to_pyshacl(tmp_path):
    import pyoxigraph as ox

    from qkg.fastvalidate import shacl_on_store

    shapes, data = UNSUPPORTED["closed"]
    disk = ox.Store(str(tmp_path / "store"))
    disk.extend(_store({"http://example.org/g": data}))
    disk.flush()
    del disk
    results = shacl_on_store(tmp_path / "store", _shapes(shapes))
    assert sorted(r.path for r in results if r.component == "ClosedConstraintComponent") == [
        "http://example.org/q", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]


SHAPE_MAX_ONE = "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] ."


@pytest.mark.parametrize("union", [True, False], ids=["union-default-graph", "merged-default-graph"])
def test_value_in_two_graphs_counts_once(union):
    import pyoxigraph as ox

    from qkg.shacl_sparql import validate_store

    store = _store({"http://example.org/g1": "ex:a a ex:C ; ex:p ex:b .", "http://example.org/g2": "ex:a ex:p ex:b ."})
    if not union:  # what build(merged=True) writes: each triple once in the default graph
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(list(store.quads_for_pattern(None, ox.NamedNode("http://example.org/p"), None))) == 2 + (not union)
    assert validate_store(store, _shapes(SHAPE_MAX_ONE), union=union) == []


def test_two_values_break_max_count_once():
    from qkg.shacl_sparql import validate_store

    store = _store({"http://example.org/g1": "ex:a a ex:C ; ex:p ex:b .", "http://example.org/g2": "ex:a ex:p ex:c ."})
    results = validate_store(store, _shapes(SHAPE_MAX_ONE), union=True)
    assert [(r.focus, r.component) for r in results] == [("http://example.org/a", "MaxCountConstraintComponent")]


@pytest.mark.parametrize("manifest,union", [({"default_graph": "merged"}, False), ({"default_graph": "empty"}, True),
                                            ({}, True), (None, True)], ids=["merged", "empty", "unstated", "none"])
def test_store_union_follows_the_manifest(tmp_path, manifest, union):
    import json

    from qkg.shacl_sparql import store_union

    if manifest is not None:
        (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert store_union(tmp_path) is union


@pytest.mark.parametrize("query,expected", CHAINED, ids=["two-triples", "path-and-filter", "abbreviated", "one-triple"])
def test_multi_triple_exists_is_chained(query, expected):
    from qkg.shacl_sparql import chain_exists

    assert chain_exists(query) == expected


def test_less_than_on_a_blank_node_is_refused():
    """pyshacl refuses to compare a blank node with sh:lessThan; so does the engine, so
    that ``shacl_on_store`` falls back to pyshacl."""
    from qkg.shacl_model import UnsupportedShape
    from qkg.shacl_sparql import validate_store

    shapes = "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:lessThan ex:q ] ."
    store = _store({"http://example.org/g": "ex:a a ex:C ; ex:p [] ; ex:q 1 ."})
    with pytest.raises(UnsupportedShape, match="blank node"):
        validate_store(store, _shapes(shapes), union=True)
