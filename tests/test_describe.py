"""qkg.describe: the VoID/DCAT description counts what the store holds."""
from __future__ import annotations

from pathlib import Path

import pytest

from qkg.namespaces import DCAT, DCTERMS, GRAPH, OWL, VOID

ROOT = Path(__file__).resolve().parents[1]
SOURCE_IDS = sorted(p.name[: -len(".meta.ttl")] for p in (ROOT / "data" / "sources").glob("*.meta.ttl"))
GRAPHS = ["inferred", "ontology", "reference", "sources", *SOURCE_IDS]
DATASET = "https://w3id.org/qkg/dataset"


def parse(text: str):
    import pyoxigraph as ox

    store = ox.Store()
    store.load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return store


def one(store, s, p):
    import pyoxigraph as ox

    values = [q.object for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None, None)]
    assert len(values) == 1, (s, p, values)
    return values[0]


@pytest.fixture(scope="session")
def description(backend):
    from qkg.describe import describe

    return parse(describe(backend, endpoint_url="https://example.org/qkg/sparql"))


def count_quads(backend, graph: str) -> int:
    import pyoxigraph as ox

    return sum(1 for _ in backend.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


@pytest.mark.parametrize("graph", GRAPHS)
def test_void_triples_of_each_named_graph_equal_the_store(graph, description, backend):
    assert int(one(description, GRAPH + graph, VOID + "triples").value) == count_quads(backend, GRAPH + graph)


def test_dataset_triples_are_the_asserted_graphs(description, backend):
    asserted = sum(count_quads(backend, GRAPH + g) for g in GRAPHS if g != "inferred")
    assert int(one(description, DATASET, VOID + "triples").value) == asserted


@pytest.mark.parametrize("source_id", SOURCE_IDS)
def test_each_source_document_is_a_source_of_the_dataset(source_id, description):
    import pyoxigraph as ox

    doc = ox.NamedNode("https://w3id.org/qkg/id/doc/" + source_id)
    assert list(description.quads_for_pattern(ox.NamedNode(DATASET), ox.NamedNode(DCTERMS + "source"), doc, None))


@pytest.mark.parametrize("cls", ["HighLevelMeeting", "Participation", "Person", "SourceDocument"])
def test_class_partition_counts_distinct_instances(cls, description, backend):
    """Partitions describe the dumps: asserted types only."""
    q = f"""PREFIX void: <{VOID}> SELECT ?n WHERE {{ <{DATASET}> void:classPartition ?p .
        ?p void:class <https://w3id.org/qkg/ontology#{cls}> ; void:entities ?n }}"""
    described = [int(r[0].value) for r in description.query(q)]
    actual = backend.query(f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <https://w3id.org/qkg/ontology#{cls}> }}
        FILTER (?g != <{GRAPH}inferred>) }}""").rows[0][0]
    assert described == [int(actual.value)]


@pytest.mark.parametrize("fmt", ["trig", "nq", "ttl", "nt", "jsonld", "rdfxml"])
def test_each_dump_is_a_distribution_with_a_media_type(fmt, description):
    from qkg.export import FORMATS

    dist = f"{DATASET}#dump-{fmt}"
    assert one(description, dist, DCAT + "mediaType").value.endswith("/" + FORMATS[fmt].media_type)
    assert one(description, dist, DCAT + "downloadURL").value.endswith("/dump/qkg" + FORMATS[fmt].extension)


@pytest.mark.parametrize("endpoint", [None, "https://example.org/qkg/sparql"], ids=["no-endpoint", "endpoint"])
def test_sparql_endpoint_is_declared_only_when_given(endpoint, backend):
    import pyoxigraph as ox

    from qkg.describe import describe

    store = parse(describe(backend, endpoint_url=endpoint))
    found = [q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(VOID + "sparqlEndpoint"), None, None)]
    assert found == ([endpoint] if endpoint else [])


def test_versions_come_from_the_package_and_the_ontology(description):
    from qkg import __version__

    assert one(description, DATASET, DCAT + "version").value == __version__
    assert one(description, "https://w3id.org/qkg/ontology", OWL + "versionInfo").value == "0.1.0"


def test_issued_follows_source_date_epoch(backend, monkeypatch):
    from qkg.describe import describe

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert one(parse(describe(backend)), DATASET, DCTERMS + "issued").value == "2026-01-01"


def test_issued_defaults_to_the_latest_source_date(backend, monkeypatch):
    from qkg.describe import describe

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    latest = max(r[0].value for r in backend.query(
        f"SELECT ?d WHERE {{ GRAPH <{GRAPH}sources> {{ ?doc <{DCTERMS}issued> ?d }} }}").rows)
    assert one(parse(describe(backend)), DATASET, DCTERMS + "issued").value == latest[:10]


def test_the_description_is_deterministic(backend):
    from qkg.describe import describe

    assert describe(backend) == describe(backend)
