"""Stored queries are portable: rdflib's SPARQL engine (another SPARQL 1.1 implementation,
with its own reading of the spec's corners) gives the rows the embedded store gives,
for every query and every case of ``query_cases.json``.

This catches what the strict parse (test_sparql_standard.py) cannot: queries that parse
everywhere but evaluate differently, such as a GROUP_CONCAT over a group holding an
unbound value (unbound in Oxigraph, an exception in rdflib).
"""
from __future__ import annotations

import pytest

from test_queries import _cases, catalog  # noqa: F401  (the catalog fixture)

#: rdflib's own SPARQL engine warns about its own deprecated Dataset API on every query
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def rdflib_dataset(store_path):
    """The store's named graphs in an rdflib Dataset whose default graph is their union."""
    import pyoxigraph as ox
    import rdflib

    from qkg.fastvalidate import TermConverter

    convert = TermConverter()
    store = ox.Store.read_only(str(store_path))
    dataset = rdflib.Dataset(default_union=True)
    for name in store.named_graphs():
        graph = dataset.graph(rdflib.URIRef(name.value))
        for q in store.quads_for_pattern(None, None, None, name):
            graph.add((convert(q.subject), convert(q.predicate), convert(q.object)))
    return dataset


def _unordered(text: str) -> str:
    """A GROUP_CONCAT's parts in a fixed order: the spec leaves their order to the engine."""
    return " | ".join(sorted(text.split(" | ")))


def _ox_term(t) -> str | None:
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.BlankNode):
        return "blank"  # blank node labels differ between engines
    if isinstance(t, ox.Literal):
        return f"literal|{_unordered(t.value)}|{t.language or t.datatype.value}"
    return f"iri|{t.value}"


def _rdflib_term(t) -> str | None:
    import rdflib
    from rdflib.namespace import XSD

    if t is None:
        return None
    if isinstance(t, rdflib.BNode):
        return "blank"
    if isinstance(t, rdflib.Literal):
        return f"literal|{_unordered(str(t))}|{t.language or (t.datatype or XSD.string)}"
    return f"iri|{t}"


@pytest.mark.parametrize("name,case,params", _cases())
def test_rdflib_gives_the_same_answer(backend, catalog, rdflib_dataset, name, case, params):
    from qkg.sparql_text import bind

    query = catalog.get(name)
    text = bind(query.text, query.bind(params))
    ours = backend.query(text)
    theirs = rdflib_dataset.query(text)
    if ours.kind == "graph":
        assert len({str(t) for t in ours.triples}) == len(set(theirs))
        return
    assert (sorted((tuple(map(_ox_term, row)) for row in ours.rows), key=str)
            == sorted((tuple(map(_rdflib_term, row)) for row in theirs), key=str))
