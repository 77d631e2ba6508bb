"""The Python API: ``KnowledgeGraph`` and its ``Rows``."""
from __future__ import annotations

import datetime
import sys

import pytest

from qkg.errors import QkgError, UsageError


@pytest.fixture(scope="module")
def kg(project, store_path):
    from qkg import KnowledgeGraph

    return KnowledgeGraph.load(project.root)


def test_query_returns_rows_of_plain_values(kg):
    rows = kg.query("list-events-timeline", from_="2021-01-01", to=datetime.date(2021, 12, 31))
    assert [(r["eventLabel"], r["start"], r["planned"], r["end"]) for r in rows[:2]] == [
        ("Inauguration of the Quantum Technology Innovation Hubs", "2021-02", False, None),
        ("1st meeting of the Quantum Technology Innovation Promotion Committee", datetime.date(2021, 4, 7), False, None),
    ]


def test_rows_know_their_columns(kg):
    rows = kg.query("list-posts", person="qperson:kohei-itoh")
    assert rows.variables == ["person", "personLabel", "post", "postLabel", "organization",
                              "organizationLabel", "asOf", "source"]


def test_integer_values_are_ints(kg):
    rows = kg.query("list-membership-observations", org="qorg:q-star")
    assert [(r["asOf"], r["exact"], r["minExclusive"]) for r in rows] == [
        (datetime.date(2021, 9, 1), 24, None), (datetime.date(2023, 5, 14), None, 70)]


def test_unknown_query_suggests_names(kg):
    with pytest.raises(UsageError, match="did you mean list-events-timeline"):
        kg.query("list-event-timeline")


def test_unknown_parameter_names_it(kg):
    with pytest.raises(UsageError, match="parameter 'person'"):
        kg.query("describe-actor", person="qperson:kohei-itoh")


def test_to_dataframe(kg):
    frame = kg.query("list-events-by-place").to_dataframe()
    assert (list(frame.columns)[:2], frame.loc[0, "placeLabel"], int(frame["events"].sum())) == (
        ["place", "placeLabel"], "Japan", 16)


def test_to_dataframe_without_pandas_says_how_to_install(kg, monkeypatch):
    rows = kg.query("list-posts")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(QkgError, match=r"pip install 'qkg\[pandas\]'"):
        rows.to_dataframe()


def test_repr_html_escapes_and_limits():
    from qkg.api import HTML_ROWS, Rows

    rows = Rows([{"a": "<b>&</b>", "b": None}] * (HTML_ROWS + 2), ["a", "b"])
    html = rows._repr_html_()
    assert ("<b>&" not in html, html.count("<tr>"), "2 more rows" in html) == (True, HTML_ROWS + 1, True)


def test_sparql_select(kg):
    rows = kg.sparql("PREFIX qkg: <https://w3id.org/qkg/ontology#> "
                     "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a qkg:Event }")
    assert rows == [{"n": 13}]


def test_sparql_ask(kg):
    assert kg.sparql("ASK { <https://w3id.org/qkg/id/org/q-star> ?p ?o }") is True


def test_sparql_construct_returns_triples(kg):
    triples = kg.sparql("CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { <https://w3id.org/qkg/id/person/kohei-itoh> } ?s ?p ?o }")
    assert {t.predicate.value.rsplit("#", 1)[-1] for t in triples} >= {"label", "honorificPrefix", "holds"}


def test_stored_construct_returns_triples(kg):
    triples = kg.query("construct-event-network")
    assert len({t.subject for t in triples if t.predicate.value == "https://schema.org/startDate"}) == 11


def test_queries_lists_the_catalog(kg):
    names = [q["name"] for q in kg.queries()]
    assert ("list-events-timeline" in names, names == sorted(names)) == (True, True)


def test_repr_says_where(kg):
    assert repr(kg).startswith("KnowledgeGraph(embedded: ")
