"""Parameters: typed values are checked, hostile ones are refused or bound verbatim.

Every case is one parametrized item. A refused value must raise a one-line
:class:`UsageError` that names the parameter; an accepted string must come back from
the store exactly as given, in exactly one row, so it cannot have changed the query.
"""
from __future__ import annotations

import datetime

import pytest

from qkg.errors import UsageError

HOSTILE = [
    '") } DROP ALL #',
    "> } DROP ALL #",
    "'; DROP GRAPH <https://w3id.org/qkg/graph/reference> ; '",
    "} UNION { ?s ?p ?o }",
    "line one\n} # line two",
    "\\u0022) } #",
    '"""',
    "\\",
    'x"^^<http://example.org/t> . ?a ?b ?c',
    "?_text $_text",
    "VALUES (?x) { (1) }",
    "東北大学 ‘quoted’ \u0000 \u0007",
]

REFUSED = [
    # (query, parameters, words the one-line message must contain)
    ("list-events-timeline", {"from": "2021-13-01"}, ["parameter 'from'", "YYYY-MM-DD"]),
    ("list-events-timeline", {"from": "2021-02-30"}, ["parameter 'from'", "YYYY-MM-DD"]),
    ("list-events-timeline", {"to": "2021"}, ["parameter 'to'", "YYYY-MM-DD"]),
    ("list-events-timeline", {"to": "yesterday"}, ["parameter 'to'", "YYYY-MM-DD"]),
    ("list-events-timeline", {"from": '2021-01-01"^^xsd:date) } DROP ALL #'}, ["parameter 'from'"]),
    ("list-events-timeline", {"form": "2021-01-01"}, ["parameter 'form'", "did you mean 'from'"]),
    ("list-documents", {"graph": "qgraph:sources"}, ["parameter 'graph'", "its parameters: none"]),
    ("describe-actor", {"actor": "q-star"}, ["parameter 'actor'", "prefixed name"]),
    ("describe-actor", {"actor": "nope:q-star"}, ["parameter 'actor'", "known prefixes"]),
    ("describe-actor", {"actor": "qorg:q-star> } DROP ALL #"}, ["parameter 'actor'", "not a valid IRI"]),
    ("describe-actor", {"actor": "<https://example.org/a> } ; DROP ALL"}, ["parameter 'actor'"]),
    ("describe-actor", {"actor": "https://example.org/a b"}, ["parameter 'actor'", "not a valid IRI"]),
    ("describe-actor", {"actor": "qorg:q-star\n} DROP ALL"}, ["parameter 'actor'", "not a valid IRI"]),
    ("describe-actor", {"actor": 'https://example.org/"x"'}, ["parameter 'actor'", "not a valid IRI"]),
    ("describe-actor", {"actor": "qorg:q\udcffstar"}, ["parameter 'actor'", "UTF-8"]),
    ("describe-actor", {"actor": b"qorg:\xff"}, ["parameter 'actor'", "UTF-8"]),
    ("describe-actor", {"actor": 42}, ["parameter 'actor'", "IRI"]),
    ("count-co-participation", {"min": "two"}, ["parameter 'min'", "integer"]),
    ("count-co-participation", {"min": "2.5"}, ["parameter 'min'", "integer"]),
    ("count-co-participation", {"min": "1 } #"}, ["parameter 'min'", "integer"]),
    ("count-co-participation", {"min": 2.5}, ["parameter 'min'", "float"]),
    ("count-co-participation", {"min": True}, ["parameter 'min'", "bool"]),
    ("list-organizations-by-kind", {"class": "qkg:Event"}, ["parameter 'class'", "not one of"]),
    ("find-entities", {"text": "a\udcffb"}, ["parameter 'text'", "UTF-8"]),
]

ACCEPTED = [
    # (query, parameters, variable, the term's value)
    ("list-events-timeline", {"from": "2021-01-01"}, "__from_xsd_date", "2021-01-01"),
    ("list-events-timeline", {"from": datetime.date(2021, 1, 1)}, "__from_xsd_date", "2021-01-01"),
    ("list-events-timeline", {"from": ""}, "__from_xsd_date", None),
    ("list-events-timeline", {"to": " 2021-12-31\n"}, "__to_xsd_date", "2021-12-31"),
    ("describe-actor", {"actor": "qorg:q-star"}, "_actor_iri", "https://w3id.org/qkg/id/org/q-star"),
    ("describe-actor", {"actor": " <https://w3id.org/qkg/id/org/mext> "}, "_actor_iri", "https://w3id.org/qkg/id/org/mext"),
    ("describe-actor", {}, "_actor_iri", "https://w3id.org/qkg/id/org/q-star"),
    ("count-co-participation", {"min": "+2"}, "__min_integer", "2"),
    ("count-co-participation", {"min": 3}, "__min_integer", "3"),
    ("find-entities", {"text": b"Tohoku"}, "_text", "Tohoku"),
]


@pytest.fixture(scope="module")
def catalog(project):
    from qkg.queries import Catalog

    return Catalog.load(project)


@pytest.mark.parametrize("name,params,words", REFUSED, ids=[f"{n}:{i}" for i, (n, _, _) in enumerate(REFUSED)])
def test_refused(catalog, name, params, words):
    with pytest.raises(UsageError) as info:
        catalog.get(name).bind(params)
    message = str(info.value)
    assert "\n" not in message
    assert [w for w in words if w not in message] == []


@pytest.mark.parametrize("name,params,variable,value", ACCEPTED,
                         ids=[f"{n}:{i}" for i, (n, _, _, _) in enumerate(ACCEPTED)])
def test_accepted(catalog, name, params, variable, value):
    bound = catalog.get(name).bind(params)
    assert (bound[variable].value if variable in bound else None) == value


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_text_matches_nothing(backend, catalog, text):
    """A stored query given hostile text runs, and finds no label containing it."""
    assert catalog.run(backend, "find-entities", {"text": text}).rows == []


ECHO = """#+ summary: echo
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?v (COUNT(*) AS ?n) WHERE {
  { BIND(STR(?_text) AS ?v) } UNION { BIND(STR(?_text) AS ?v) FILTER(false) }
  OPTIONAL { FILTER(?_text = "never") }
}
GROUP BY ?v
"""


@pytest.fixture(scope="module")
def echo(tmp_path_factory):
    from qkg.queries import parse_query_file

    path = tmp_path_factory.mktemp("queries") / "echo-text.rq"
    path.write_text(ECHO, encoding="utf-8")
    return parse_query_file(path)


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_text_is_bound_verbatim(backend, echo, text):
    """The value comes back unchanged in exactly one row: it stayed a literal."""
    result = backend.query(echo.text, echo.bind({"text": text}))
    assert [(row[0].value, int(row[1].value)) for row in result.rows] == [(text, 1)]


def test_required_parameter_without_default_is_asked_for(tmp_path):
    from qkg.queries import parse_query_file

    path = tmp_path / "describe-thing.rq"
    path.write_text("SELECT ?p WHERE { ?_thing_iri ?p ?o }\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"parameter 'thing': query 'describe-thing' needs this parameter: an IRI"):
        parse_query_file(path).bind({})
