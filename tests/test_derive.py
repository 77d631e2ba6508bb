"""Date bounds: dates of any precision to the first and last day they may denote,
the same from the fast path (pyoxigraph) as from the owlrl path (rdflib)."""
from __future__ import annotations

import pytest

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("lexical, datatype, bounds", [
    ("2023-05-14", "date", ("2023-05-14", "2023-05-14")),
    ("2023-05-14T11:40:00+09:00", "dateTime", ("2023-05-14", "2023-05-14")),
    ("2023-05-14T23:40:00-05:00", "dateTime", ("2023-05-14", "2023-05-14")),
    ("2021-02", "gYearMonth", ("2021-02-01", "2021-02-28")),
    ("2024-02", "gYearMonth", ("2024-02-01", "2024-02-29")),
    ("2024", "gYear", ("2024-01-01", "2024-12-31")),
    ("2024-13", "gYearMonth", None),
    ("soon", "gYear", None),
    ("2024", "string", None),
])
def test_day_bounds(lexical, datatype, bounds):
    from qkg.derive import day_bounds

    assert day_bounds(lexical, XSD + datatype) == bounds


@pytest.mark.parametrize("dates, expected", [
    ({"startDate": ["2023-05-12^date"], "endDate": ["2023-05-14^date"]}, ("2023-05-12", "2023-05-14")),
    ({"startDate": ["2021-02^gYearMonth"]}, ("2021-02-01", "2021-02-28")),
    ({"plannedStart": ["2024^gYear"]}, ("2024-01-01", "2024-12-31")),
    ({"startDate": ["2023-05^gYearMonth", "2023-05-14^date"]}, ("2023-05-01", "2023-05-31")),
    ({"startDate": ["2025-09-10^date"], "plannedStart": ["2024^gYear"]}, ("2025-09-10", "2025-09-10")),
])
def test_bounds_of_an_event(dates, expected):
    from qkg.derive import EARLIEST_START, LATEST_END, date_bounds
    from qkg.namespaces import QKG

    rows = [("e", QKG + prop, v.split("^")[0], XSD + v.split("^")[1]) for prop, vs in dates.items() for v in vs]
    assert sorted(date_bounds(rows)) == sorted([("e", EARLIEST_START, expected[0]), ("e", LATEST_END, expected[1])])


def test_fast_bounds_equal_rdflib_bounds(project):
    import pyoxigraph as ox
    import rdflib

    from qkg.build import to_oxigraph
    from qkg.derive import bounds_quads, bounds_triples_rdflib

    store, graph = ox.Store(), rdflib.Graph()
    for _, path in project.graph_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g"))
        graph.parse(path, format="turtle")
    fast = {str(ox.Triple(q.subject, q.predicate, q.object)) for q in bounds_quads(store, ox.NamedNode("http://g"))}
    reference = {str(ox.Triple(*map(to_oxigraph, t))) for t in bounds_triples_rdflib(graph)}
    assert fast == reference
    assert len(fast) == 2 * len({t.split(" ")[0] for t in fast})
