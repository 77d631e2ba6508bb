"""SHACL on the built store (closure, no re-inference), with either engine, gives the
results of a full pyshacl run with RDFS inference and the ontology, on the project, on
the project with defects, and on 10k synthetic triples; a per-graph run gives that
graph's results."""
from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from qkg.validate import prepared_sparql

ROOT = Path(__file__).resolve().parents[1]

DEFECTS = """
qevent:defect-meeting a qkg:Meeting ;
    rdfs:label "A meeting with two start dates and no evidence"@en ;
    qkg:startDate "2023-05-14"^^xsd:date , "2023-05-15"^^xsd:date .
qpart:defect-meeting--q-star--host a qkg:Participation ;
    qkg:agent qorg:q-star .
qperson:defect-person a qkg:Person .
"""


def _key(result) -> tuple:
    def norm(v):
        return "_:" if v and v.startswith("_:") else v

    return (norm(result.focus), norm(result.path), result.component, result.severity)


def _project(kind: str, tmp: Path):
    from qkg.paths import Project

    if kind == "synthetic-10k":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import generate

        generate.generate(tmp, 10_000, seed=7)
        return Project(tmp)
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, tmp / name)
    project = Project(tmp)
    if kind == "project-with-defects":
        data = project.sources()[0].data
        data.write_text(data.read_text(encoding="utf-8") + DEFECTS, encoding="utf-8")
    return project


@pytest.fixture(scope="module", params=["project", "project-with-defects", "synthetic-10k"])
def case(request, tmp_path_factory):
    """(project, built store, full pyshacl results with RDFS inference)."""
    import os

    from qkg.build import build
    from qkg.graph import load_inputs
    from qkg.shacl import load_shapes, run_shacl

    tmp = tmp_path_factory.mktemp(request.param)
    project = _project(request.param, tmp)
    old = os.environ.get("QKG_CACHE_DIR")
    os.environ["QKG_CACHE_DIR"] = str(tmp / ".cache")
    try:
        store = build(project, reasoner="fast", incremental=False).path
    finally:
        os.environ.pop("QKG_CACHE_DIR") if old is None else os.environ.__setitem__("QKG_CACHE_DIR", old)
    shapes = load_shapes(project.shape_files)
    inputs = load_inputs(project)
    with prepared_sparql():
        full = run_shacl(inputs.merged(), shapes, inputs.graphs["https://w3id.org/qkg/graph/ontology"], "rdfs")
    return request.param, project, store, shapes, full


@pytest.fixture(autouse=True)
def _parse_shacl_sparql_once():
    """pyshacl re-parses SPARQL constraints per focus node; qkg.validate caches them."""
    with prepared_sparql():
        yield


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_store_results_equal_full_pyshacl_with_rdfs(case, engine):
    from qkg.fastvalidate import shacl_on_store

    name, project, store, shapes, full = case
    ours = shacl_on_store(store, shapes, engine=engine)
    assert sorted(Counter(map(_key, ours)).items()) == sorted(Counter(map(_key, full)).items())
    assert (len(full) > 0) == (name == "project-with-defects")


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_one_graph_results_equal_its_part_of_the_full_run(case, engine):
    """Blank node ids differ between parsers, so the reference here is the full run on
    the same store (itself equal to pyshacl with RDFS, above)."""
    import pyoxigraph as ox

    from qkg.fastvalidate import shacl_on_store

    name, project, store, shapes, full = case
    whole = shacl_on_store(store, shapes, engine=engine)
    for source in project.sources()[:2]:
        described = {("_:" + q.subject.value) if isinstance(q.subject, ox.BlankNode) else q.subject.value
                     for q in ox.Store.read_only(str(store)).quads_for_pattern(
                         None, None, None, ox.NamedNode(source.graph))}
        ours = shacl_on_store(store, shapes, graphs=[source.graph], engine=engine)
        assert sorted(r.key() for r in ours) == sorted(r.key() for r in whole if r.focus in described)


def test_unknown_engine_is_a_usage_error(store_path, project):
    from qkg.errors import UsageError
    from qkg.fastvalidate import shacl_on_store
    from qkg.shacl import load_shapes

    with pytest.raises(UsageError, match="unknown SHACL engine 'jena'"):
        shacl_on_store(store_path, load_shapes(project.shape_files), engine="jena")
