"""Incremental fast builds: after a change, only the changed named graphs are parsed and
the store equals a full rebuild (graph by graph, blank nodes compared as ``_:``)."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from qkg.namespaces import GRAPH


def _edit(project):
    """Drop a third of one document's triples and copy in a fifth of another's."""
    import pyoxigraph as ox

    rng = random.Random(3)
    a, b = project.sources()[:2]
    keep = [q.triple for q in ox.parse(path=str(a.data), format=ox.RdfFormat.TURTLE) if rng.random() > 0.33]
    keep += [q.triple for q in ox.parse(path=str(b.data), format=ox.RdfFormat.TURTLE) if rng.random() < 0.2]
    a.data.write_bytes(ox.serialize(keep, format=ox.RdfFormat.TURTLE))
    return [a.graph]


def _delete(project):
    src = project.sources()[1]
    for p in (src.data, src.meta, src.text):
        p.unlink()
    return [src.graph, GRAPH + "sources"]


def _reference(project):
    with project.reference_file.open("a", encoding="utf-8") as f:
        f.write('\nqcountry:japan skos:exactMatch <http://example.org/japan> .\n')
    return [GRAPH + "reference"]


def _metadata(project):
    src = project.sources()[0]
    src.meta.write_text(src.meta.read_text(encoding="utf-8").replace("Press release", "News release"), encoding="utf-8")
    return [GRAPH + "sources"]


def _sub_organizations(project):
    """New organizations under existing ones: transitivity and inverses must follow."""
    src = project.sources()[2]
    with src.data.open("a", encoding="utf-8") as f:
        f.write("\nqorg:new-lab a qkg:ResearchCenter ; rdfs:label \"New lab\"@en ; "
                "qkg:subOrganizationOf qorg:quantum-and-materials-team .\n")
    return [src.graph]


def _ontology(project):
    main = project.ontology_files[0]
    main.write_text(main.read_text(encoding="utf-8") + "\nqkg:Council rdfs:subClassOf qkg:Committee .\n",
                    encoding="utf-8")
    return None  # a schema change: full build


def _schema_in_document(project):
    src = project.sources()[0]
    with src.data.open("a", encoding="utf-8") as f:
        f.write("\nqkg:Meeting rdfs:subClassOf qkg:Symposium .\n")
    return None


#: change → function applying it and returning the graphs to reload (None: full build)
CHANGES = {"edit-document": _edit, "delete-document": _delete, "change-reference": _reference,
           "change-metadata": _metadata, "add-sub-organization": _sub_organizations,
           "change-ontology": _ontology, "schema-in-document": _schema_in_document}


def _normalized(path) -> dict:
    import pyoxigraph as ox

    out: dict = {}
    for q in ox.Store.read_only(str(path)):
        key = " ".join("_:" if isinstance(t, ox.BlankNode) else str(t) for t in (q.subject, q.predicate, q.object))
        out.setdefault(getattr(q.graph_name, "value", ""), Counter())[key] += 1
    return out


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_incremental_build_equals_full_rebuild(change, project_copy, monkeypatch, tmp_path):
    from qkg.build import build

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    first = build(project_copy)
    expected = CHANGES[change](project_copy)
    again = build(project_copy)
    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "full"))
    full = build(project_copy, incremental=False)
    assert again.incremental == (expected is not None)
    assert sorted(again.loaded) == sorted(expected if expected is not None else full.loaded)
    assert again.key != first.key
    assert (again.graphs, again.inferred, again.errors) == (full.graphs, full.inferred, full.errors)
    assert _normalized(again.path) == _normalized(full.path)


def test_unchanged_project_is_not_rebuilt(project_copy, monkeypatch, tmp_path):
    from qkg.build import build, ensure_built

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    first = build(project_copy)
    assert ensure_built(project_copy) == first.path


@pytest.mark.parametrize("text, expected", [
    ("PREFIX a: <http://a/> CONSTRUCT { ?x a:p ?y } WHERE { ?x a:q ?y }", {"http://a/p", "http://a/q"}),
    ("#+ summary: mentions a:z\nPREFIX a: <http://a/> SELECT * { ?x <http://b/c> 'a:w' }", {"http://b/c"}),
    ("SELECT * { ?x ?p ?y }", set()),
])
def test_iris_of_a_rule(text, expected):
    from qkg.incremental import iris

    assert iris(text) == expected


@pytest.mark.parametrize("rule, ok", [
    ("PREFIX qkg: <https://w3id.org/qkg/ontology#>\n"
     "CONSTRUCT { ?p qkg:holds ?post } WHERE { ?h qkg:holder ?p ; qkg:post ?post }", True),
    ("PREFIX qkg: <https://w3id.org/qkg/ontology#>\n"
     "CONSTRUCT { ?x qkg:sector \"big\" } WHERE { ?x qkg:withinOrganization ?y }", False),
    ("PREFIX qkg: <https://w3id.org/qkg/ontology#>\n"
     "CONSTRUCT { ?x qkg:subOrganizationOf ?y } WHERE { ?x qkg:basedIn ?y }", False),
])
def test_rules_that_read_derived_statements_force_a_full_build(project, rule, ok):
    import pyoxigraph as ox

    from qkg.derive import Rule
    from qkg.fastreason import read_schema, schema_closure
    from qkg.incremental import stratified

    store = ox.Store()
    for path in project.ontology_files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH + "ontology"))
    assert stratified(schema_closure(read_schema(store)), [Rule("r", rule)]) is ok


@pytest.mark.parametrize("change", ["edit-document", "delete-document", "add-sub-organization", "change-reference"])
def test_merged_default_graph_stays_the_merge(change, project_copy, monkeypatch, tmp_path):
    """With ``merged=True`` the default graph holds each triple of the named graphs once,
    after a full build and after an incremental one."""
    import pyoxigraph as ox

    from qkg.build import build

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    build(project_copy, merged=True)
    CHANGES[change](project_copy)
    again = build(project_copy, merged=True)
    assert again.incremental and again.default_graph == "merged"
    store = ox.Store.read_only(str(again.path))
    named = {q.triple for q in store if not isinstance(q.graph_name, ox.DefaultGraph)}
    default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert len(default) == len(named) and default == named
    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "full"))
    full = build(project_copy, incremental=False, merged=True)
    assert _normalized(again.path) == _normalized(full.path)
