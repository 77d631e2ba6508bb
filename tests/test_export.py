"""qkg.export: every format re-parses to what was exported, byte-identical output,
graph selection and inferred triples, and the CLI's error for an unknown graph."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qkg.namespaces import INFERRED_GRAPH, OWL, PREFIXES, QKG, RDF

ROOT = Path(__file__).resolve().parents[1]
SOURCE_IDS = sorted(p.name[: -len(".meta.ttl")] for p in (ROOT / "data" / "sources").glob("*.meta.ttl"))

#: (export format, pyoxigraph parser, keeps named graphs)
RDF_FORMATS = {
    "ttl": ("TURTLE", False),
    "nt": ("N_TRIPLES", False),
    "nq": ("N_QUADS", True),
    "trig": ("TRIG", True),
    "rdfxml": ("RDF_XML", False),
}
#: JSON-LD variants: (frame, named graphs)
JSONLD_VARIANTS = {"flat": (None, False), "entity": ("entity", False), "named-graphs": (None, True)}


def canonical_dataset(quads, merge: bool):
    import pyoxigraph as ox

    if merge:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return ds


@pytest.fixture(scope="session")
def asserted(backend):
    from qkg.export import select

    return select(backend)


@pytest.fixture(scope="session")
def exported(asserted):
    """Each format serialized once per session."""
    from qkg.export import serialize

    cache = {}

    def get(fmt, **options):
        key = (fmt, tuple(sorted(options.items())))
        if key not in cache:
            cache[key] = serialize(asserted, fmt, **options)
        return cache[key]

    return get


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_format_reparses_to_the_exported_graph(fmt, exported, asserted):
    import pyoxigraph as ox

    parser, keeps_graphs = RDF_FORMATS[fmt]
    back = list(ox.parse(exported(fmt), format=getattr(ox.RdfFormat, parser)))
    assert canonical_dataset(back, merge=not keeps_graphs) == canonical_dataset(asserted, merge=not keeps_graphs)


@pytest.mark.parametrize("variant", sorted(JSONLD_VARIANTS))
def test_jsonld_reparses_to_the_exported_graph(variant, exported, asserted):
    from qkg import jsonld

    frame, named = JSONLD_VARIANTS[variant]
    back = jsonld.to_quads(exported("jsonld", frame=frame, named_graphs=named))
    assert canonical_dataset(back, merge=not named) == canonical_dataset(asserted, merge=not named)


def rdflib_to_quads(graph) -> list:
    """pyoxigraph quads of an rdflib graph or dataset, named graphs merged (compared by
    canonicalization: rdflib's isomorphism check takes seconds on a few hundred blank
    nodes)."""
    import pyoxigraph as ox
    import rdflib

    from qkg.build import to_oxigraph

    if isinstance(graph, rdflib.Dataset):
        triples = (q[:3] for q in graph.quads((None, None, None, None)))
    else:
        triples = graph.triples((None, None, None))
    return [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]


def test_jsonld_expands_to_the_same_triples_as_the_turtle(exported):
    """The JSON-LD read with rdflib through the local context equals the Turtle read
    with rdflib: two parsers, one graph."""
    import rdflib

    from qkg import jsonld

    turtle = rdflib.Graph().parse(data=exported("ttl"), format="turtle")
    from_jsonld = jsonld.to_rdflib(exported("jsonld"))
    assert canonical_dataset(rdflib_to_quads(from_jsonld), merge=True) == \
        canonical_dataset(rdflib_to_quads(turtle), merge=True)


def _relabelled_shuffled(quads, seed: int):
    """The same dataset with fresh blank node labels, in another order."""
    import pyoxigraph as ox

    fresh: dict = {}

    def relabel(term):
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term, ox.BlankNode())
        return term

    out = [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph_name) for q in quads]
    random.Random(seed).shuffle(out)
    return out


@pytest.mark.parametrize("fmt", [*sorted(RDF_FORMATS), "jsonld"])
def test_same_data_gives_byte_identical_output(fmt, asserted, exported):
    from qkg.export import serialize

    assert serialize(_relabelled_shuffled(asserted, seed=7), fmt) == exported(fmt)


def test_turtle_declares_only_known_prefixes_in_their_order(exported):
    header = [line for line in exported("ttl").decode().splitlines() if line.startswith("@prefix")]
    declared = [line.split()[1].rstrip(":") for line in header]
    assert declared == [p for p in PREFIXES if p in declared] and declared[0] == "qkg"


@pytest.mark.parametrize("source_id", SOURCE_IDS)
def test_graph_option_exports_exactly_that_graph(source_id, backend):
    import pyoxigraph as ox

    from qkg.export import export
    from qkg.namespaces import graph_iri

    quads = list(ox.parse(export(backend, "nq", graph=source_id), format=ox.RdfFormat.N_QUADS))
    stored = list(backend.store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(source_id))))
    assert {q.graph_name.value for q in quads} == {graph_iri(source_id)}
    assert canonical_dataset(quads, merge=False) == canonical_dataset(stored, merge=False)


def test_inferred_triples_are_left_out_by_default(exported):
    import pyoxigraph as ox

    quads = list(ox.parse(exported("nq"), format=ox.RdfFormat.N_QUADS))
    assert INFERRED_GRAPH not in {q.graph_name.value for q in quads}
    assert [q for q in quads if q.predicate.value == QKG + "earliestStart"] == []


def test_inferred_option_adds_the_inferred_graph(backend):
    import pyoxigraph as ox

    from qkg.export import export

    quads = list(ox.parse(export(backend, "nq", inferred=True), format=ox.RdfFormat.N_QUADS))
    inferred = [q for q in quads if q.graph_name.value == INFERRED_GRAPH]
    assert len(inferred) == len(list(backend.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))))


def test_inferred_export_holds_no_reasoner_junk(backend):
    import pyoxigraph as ox

    from qkg.export import export

    triples = list(ox.parse(export(backend, "nt", inferred=True), format=ox.RdfFormat.N_TRIPLES))
    junk = [t for t in triples if (t.predicate.value == OWL + "sameAs" and t.subject == t.object)
            or (t.predicate.value == RDF + "type" and t.object.value == OWL + "Thing")]
    assert junk == []


@pytest.mark.parametrize("source_id", SOURCE_IDS)
def test_graph_with_inferred_adds_only_triples_about_its_subjects(source_id, backend):
    import pyoxigraph as ox

    from qkg.export import select
    from qkg.namespaces import graph_iri

    quads = select(backend, graph=source_id, inferred=True)
    subjects = {q.subject for q in quads if q.graph_name.value == graph_iri(source_id)}
    extra = [q for q in quads if q.graph_name.value == INFERRED_GRAPH]
    assert extra and {q.subject for q in extra} <= subjects
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)


@pytest.mark.parametrize("fmt", ["ttl", "nq", "rdfxml"])
def test_jsonld_options_are_refused_for_other_formats(fmt, asserted):
    from qkg.errors import UsageError
    from qkg.export import serialize

    with pytest.raises(UsageError, match="jsonld only"):
        serialize(asserted[:10], fmt, frame="entity")


def _qkg_script() -> str:
    script = Path(sys.executable).parent / "qkg"
    return str(script) if script.exists() else shutil.which("qkg")


def test_cli_unknown_graph_exits_2_with_the_known_ids(store_path):
    proc = subprocess.run([_qkg_script(), "export", "--graph", "no-such-source"], capture_output=True,
                          text=True, env=os.environ.copy(), cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qkg: error: --graph: unknown graph 'no-such-source'; known: ")
    assert all(sid in lines[0] for sid in SOURCE_IDS)


def test_cli_writes_the_same_bytes_as_the_api(store_path, tmp_path, exported):
    out = tmp_path / "qkg.trig"
    proc = subprocess.run([_qkg_script(), "-q", "export", "-f", "trig", "-o", str(out)], capture_output=True,
                          env=os.environ.copy(), cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == exported("trig")
