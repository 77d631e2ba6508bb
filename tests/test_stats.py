"""qkg.stats: per-graph triple and instance counts from the built store."""
from __future__ import annotations

from qkg import stats
from qkg.namespaces import GRAPH, QKG


def test_counts_match_the_inputs(backend, project):
    from qkg.graph import load_inputs

    inputs = load_inputs(project)
    result = {s.graph: s for s in stats.compute(backend)}
    for iri, g in inputs.graphs.items():
        assert result[iri].triples == len(g), iri
    assert result[GRAPH + "inferred"].triples > 0


def test_instances_per_class(backend):
    result = {s.graph: s for s in stats.compute(backend)}
    mdq = result[GRAPH + "2025-09-22-cabinet-office-7th-mdq"].classes
    assert mdq[QKG + "Country"] == 13
    assert mdq[QKG + "Designation"] == 2


def test_render_has_a_total(backend):
    text = stats.render(stats.compute(backend), with_classes=False)
    assert text.splitlines()[-1].startswith("total") and "in 7 named graphs" in text
