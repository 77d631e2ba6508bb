"""The SHACL shapes (ontology/shapes/*.ttl): fixtures per shapes file, and the project data.

Each shapes file ``ontology/shapes/<name>.ttl`` has a folder ``tests/fixtures/shapes/<name>/``
with ``conforming.ttl`` (no Violation), ``violating.ttl`` and ``expected.json``: the
exact set of ``[focus, path, component, severity]`` that the violating graph produces
with that shapes file alone. A fixture is validated as the project's data is: merged
with the ontology graph (qkg.ttl and the code lists, whose concepts are data too), the
ontology as ``ont_graph``, RDFS inference. The violating graph must break every
constraint of its shapes file at least once.

Set ``QKG_REGENERATE=1`` to rewrite the expected files from the actual results, then
review the diff.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "ontology" / "shapes"
SHAPE_FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
SHAPE_NAMES = sorted(p.stem for p in SHAPES_DIR.glob("*.ttl"))
FIXTURE_FILES = {"conforming.ttl", "violating.ttl", "expected.json"}
REGENERATE = os.environ.get("QKG_REGENERATE") == "1"

SH = "http://www.w3.org/ns/shacl#"
#: SHACL constraint parameter → the constraint component a violation of it reports.
#: sh:qualifiedValueShape is reported through its counts.
COMPONENTS = {
    p: p[0].upper() + p[1:] + "ConstraintComponent"
    for p in (
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
        "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "languageIn",
        "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or",
        "xone", "node", "qualifiedMinCount", "qualifiedMaxCount", "closed", "hasValue", "in",
    )
} | {"sparql": "SPARQLConstraintComponent"}


@pytest.fixture(scope="module")
def ontology(project):
    """The ontology graph: qkg.ttl and the code lists."""
    import rdflib

    from qkg.rdfio import parse_graph

    g = rdflib.Graph()
    for path in project.ontology_files:
        parse_graph(path, project.relative(path), graph=g)
    return g


def _validate(shapes_file: Path, data_file: Path, ontology):
    """Every result of one shapes file on one fixture merged with the ontology graph."""
    import rdflib

    from qkg.rdfio import parse_graph
    from qkg.shacl import load_shapes, run_shacl

    data = rdflib.Graph()
    data += ontology
    parse_graph(data_file, graph=data)
    return run_shacl(data, load_shapes([shapes_file]), ontology, inference="rdfs")


@pytest.fixture(scope="module")
def violating_results(ontology):
    """Results of each shapes file on its violating fixture, computed once per name."""
    cache: dict[str, list] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = _validate(SHAPES_DIR / f"{name}.ttl", SHAPE_FIXTURES / name / "violating.ttl", ontology)
        return cache[name]

    return get


def _declared_constraints(shapes) -> set[tuple[str, str]]:
    """(shape, component) of every constraint of the targeted node shapes and their
    property shapes; shapes nested in sh:or, sh:xone … report through their parent."""
    from rdflib import URIRef

    out = set()
    for node_shape in set(shapes.subjects(URIRef(SH + "targetClass"), None)):
        for shape in (node_shape, *shapes.objects(node_shape, URIRef(SH + "property"))):
            for parameter, component in COMPONENTS.items():
                if (shape, URIRef(SH + parameter), None) in shapes:
                    out.add((str(shape), component))
    return out


@pytest.mark.parametrize("name", SHAPE_NAMES, ids=SHAPE_NAMES)
def test_shapes_file_has_fixtures(name):
    folder = SHAPE_FIXTURES / name
    assert {f for f in FIXTURE_FILES if (folder / f).is_file()} == FIXTURE_FILES


def test_fixture_folders_belong_to_shapes_files():
    folders = {p.name for p in SHAPE_FIXTURES.iterdir() if p.is_dir()}
    assert sorted(folders - set(SHAPE_NAMES)) == []


@pytest.mark.parametrize("name", SHAPE_NAMES, ids=SHAPE_NAMES)
def test_conforming_fixture_has_no_violation(name, ontology):
    results = _validate(SHAPES_DIR / f"{name}.ttl", SHAPE_FIXTURES / name / "conforming.ttl", ontology)
    assert [r for r in results if r.severity == "Violation"] == []


@pytest.mark.parametrize("name", SHAPE_NAMES, ids=SHAPE_NAMES)
def test_violating_fixture_gives_expected_results(name, violating_results):
    expected_file = SHAPE_FIXTURES / name / "expected.json"
    actual = {r.key() for r in violating_results(name)}
    if REGENERATE:
        rows = sorted(list(k) for k in actual)
        expected_file.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = {tuple(row) for row in json.loads(expected_file.read_text(encoding="utf-8"))}
    assert actual == expected


@pytest.mark.parametrize("name", SHAPE_NAMES, ids=SHAPE_NAMES)
def test_violating_fixture_breaks_every_constraint(name, violating_results):
    from qkg.shacl import load_shapes

    declared = _declared_constraints(load_shapes([SHAPES_DIR / f"{name}.ttl"]))
    broken = {(r.shape, r.component) for r in violating_results(name)}
    assert sorted(declared - broken) == []


def _classes_used_in_data(project) -> set[str]:
    import rdflib

    from qkg.rdfio import parse_graph

    g = rdflib.Graph()
    for path in sorted(project.data_dir.rglob("*.ttl")):
        parse_graph(path, project.relative(path), graph=g)
    return {str(c) for c in g.objects(None, rdflib.RDF.type)}


def test_every_class_in_the_data_is_targeted(project, ontology):
    import rdflib

    from qkg.shacl import load_shapes

    shapes = load_shapes(project.shape_files)
    targeted = {str(c) for c in shapes.objects(None, rdflib.URIRef(SH + "targetClass"))}

    def covered(cls: str) -> bool:
        # the class or one of its superclasses (rdfs:subClassOf closure) is a target
        above = {str(c) for c in ontology.transitive_objects(rdflib.URIRef(cls), rdflib.RDFS.subClassOf)}
        return bool(above & targeted)

    assert sorted(c for c in _classes_used_in_data(project) if not covered(c)) == []


def test_project_data_conforms(project, ontology):
    from qkg.graph import load_inputs
    from qkg.shacl import load_shapes, run_shacl

    data = load_inputs(project).merged()
    results = run_shacl(data, load_shapes(project.shape_files), ontology, inference="rdfs")
    violations = [f"{r.focus} {r.path} {r.component}: {r.message}" for r in results if r.severity == "Violation"]
    assert violations == []
