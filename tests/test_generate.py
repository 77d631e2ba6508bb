"""The synthetic project generator (benchmarks/generate.py): deterministic, sized as
asked, quotes that occur in the texts, metadata that matches, data that conforms."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted((root / "data").rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic-10k")
    return generate.generate(out, 10_000, seed=7)


@pytest.mark.parametrize("text, triples", [("10k", 10_000), ("1M", 1_000_000), ("10M", 10_000_000),
                                           ("250k", 250_000), ("12345", 12_345)])
def test_sizes_parse(text, triples):
    assert generate.parse_size(text) == triples


def test_same_seed_same_bytes(synthetic, tmp_path):
    again = generate.generate(tmp_path, 10_000, seed=7)
    assert (again.documents, again.triples) == (synthetic.documents, synthetic.triples)
    assert _digest(tmp_path) == _digest(synthetic.root)


def test_other_seed_other_corpus(synthetic, tmp_path):
    generate.generate(tmp_path, 10_000, seed=8)
    assert _digest(tmp_path) != _digest(synthetic.root)


def test_size_is_reached_and_counted_exactly(synthetic):
    import pyoxigraph as ox

    from qkg.paths import Project

    files = [p for _, p in Project(synthetic.root).graph_files()]
    counted = sum(sum(1 for _ in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)) for p in files)
    assert counted == synthetic.triples
    assert 10_000 <= synthetic.triples < 10_000 * 1.15


def test_every_quote_occurs_in_its_source_text(synthetic):
    import pyoxigraph as ox

    from qkg.paths import Project

    missing = []
    for src in Project(synthetic.root).sources():
        text = src.text.read_text(encoding="utf-8")
        for quad in ox.parse(path=str(src.data), format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == "http://www.w3.org/ns/oa#exact" and quad.object.value not in text:
                missing.append((src.source_id, quad.object.value))
    assert missing == []


def test_metadata_digest_matches_text(synthetic):
    import pyoxigraph as ox

    from qkg.paths import Project

    wrong = []
    for src in Project(synthetic.root).sources():
        sha = next(q.object.value for q in ox.parse(path=str(src.meta), format=ox.RdfFormat.TURTLE)
                   if q.predicate.value.endswith("#sha256"))
        if sha != hashlib.sha256(src.text.read_bytes()).hexdigest():
            wrong.append(src.source_id)
    assert wrong == []


def test_dates_of_every_precision_occur(synthetic):
    data = "".join(p.read_text(encoding="utf-8") for p in (synthetic.root / "data").glob("*.ttl"))
    for datatype in ("xsd:dateTime", "xsd:date", "xsd:gYearMonth", "xsd:gYear"):
        assert f"^^{datatype}" in data


def test_synthetic_data_conforms_to_the_shapes(synthetic):
    from qkg.graph import load_inputs
    from qkg.paths import Project
    from qkg.shacl import load_shapes, run_shacl

    project = Project(synthetic.root)
    inputs = load_inputs(project)
    ontology = inputs.graphs["https://w3id.org/qkg/graph/ontology"]
    results = run_shacl(inputs.merged(), load_shapes(project.shape_files), ontology, inference="rdfs")
    assert [r for r in results if r.severity == "Violation"] == []
