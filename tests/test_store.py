"""Query backends: binding by value, query forms, errors, endpoints."""
from __future__ import annotations

import pytest

from qkg.errors import EndpointError, QuerySyntaxError, UsageError

IRI = "https://w3id.org/qkg/id/org/q-star"
BLOCK = f" VALUES (?_x_iri) {{ (<{IRI}>) }} "

INJECT = [
    # (query, expected text after binding ?_x_iri)
    ("SELECT ?p WHERE { ?_x_iri ?p ?o }", f"SELECT ?p WHERE {{{BLOCK} ?_x_iri ?p ?o }}"),
    ("SELECT ?p { ?_x_iri ?p ?o }", f"SELECT ?p {{{BLOCK} ?_x_iri ?p ?o }}"),
    ("ASK { ?_x_iri ?p ?o }", f"ASK {{{BLOCK} ?_x_iri ?p ?o }}"),
    ("CONSTRUCT { ?_x_iri ?p ?o } WHERE { ?_x_iri ?p ?o }", f"CONSTRUCT {{ ?_x_iri ?p ?o }} WHERE {{{BLOCK} ?_x_iri ?p ?o }}"),
    ("SELECT * WHERE { ?s ?p ?o OPTIONAL { ?s ?q ?_x_iri } }",
     f"SELECT * WHERE {{{BLOCK} ?s ?p ?o OPTIONAL {{{BLOCK} ?s ?q ?_x_iri }} }}"),
    ("SELECT * WHERE { { ?s ?p ?_x_iri } UNION { ?s ?p ?o } }",
     f"SELECT * WHERE {{{BLOCK} {{{BLOCK} ?s ?p ?_x_iri }} UNION {{ ?s ?p ?o }} }}"),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?_x_iri } } }",
     f"SELECT * WHERE {{{BLOCK} {{ SELECT ?s WHERE {{{BLOCK} ?s ?p ?_x_iri }} }} }}"),
    ("SELECT * WHERE { VALUES ?s { <http://e/a> } ?s ?p ?_x_iri }",
     f"SELECT * WHERE {{{BLOCK} VALUES ?s {{ <http://e/a> }} ?s ?p ?_x_iri }}"),
    ('SELECT * WHERE { ?s ?p "{ ?_x_iri }" . ?s ?q ?_x_iri } # { ?_x_iri }',
     f'SELECT * WHERE {{{BLOCK} ?s ?p "{{ ?_x_iri }}" . ?s ?q ?_x_iri }} # {{ ?_x_iri }}'),
    ("PREFIX where: <http://e/> SELECT * WHERE { ?s where:p ?_x_iri }",
     f"PREFIX where: <http://e/> SELECT * WHERE {{{BLOCK} ?s where:p ?_x_iri }}"),
]


@pytest.mark.parametrize("query,expected", INJECT, ids=[f"inject-{i}" for i in range(len(INJECT))])
def test_inject_values(query, expected):
    import pyoxigraph as ox

    from qkg.sparql_text import inject_values

    assert inject_values(query, {"_x_iri": ox.NamedNode(IRI)}) == expected


@pytest.mark.parametrize("query,bindings,error", [
    ("SELECT * WHERE { ?s ?p ?o }", {"a b": "iri"}, UsageError),
    ("SELECT * WHERE { ?s ?p ?o }", {"x": "not a term"}, UsageError),
    ("CONSTRUCT WHERE { ?s ?p ?x }", {"x": "term"}, QuerySyntaxError),
    ("DESCRIBE <http://e/x>", {"x": "term"}, QuerySyntaxError),
], ids=["bad-name", "not-a-term", "construct-where", "no-group"])
def test_inject_values_refuses(query, bindings, error):
    import pyoxigraph as ox

    from qkg.sparql_text import inject_values

    terms = {k: (ox.NamedNode("http://e/x") if v == "term" else v) for k, v in bindings.items()}
    with pytest.raises(error):
        inject_values(query, terms)


T = f"<{IRI}>"
SUBSTITUTE = [
    # (query, text after pasting ?_x_iri, or None where a term cannot stand)
    ("SELECT ?p WHERE { ?_x_iri ?p ?o }", f"SELECT ?p WHERE {{ {T} ?p ?o }}"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o != $_x_iri) }", f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o != {T}) }}"),
    ("CONSTRUCT { ?_x_iri ?p ?o } WHERE { ?_x_iri ?p ?o }", f"CONSTRUCT {{ {T} ?p ?o }} WHERE {{ {T} ?p ?o }}"),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?_x_iri } } }", f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ ?s ?p {T} }} }} }}"),
    ('SELECT * WHERE { ?s ?p "?_x_iri" } # ?_x_iri', 'SELECT * WHERE { ?s ?p "?_x_iri" } # ?_x_iri'),
    ("SELECT ?_x_iri WHERE { ?_x_iri ?p ?o }", None),
    ("SELECT * WHERE { BIND(1 AS ?_x_iri) }", None),
    ("SELECT * WHERE { VALUES ?_x_iri { <http://e/a> } }", None),
    ("SELECT * WHERE { ?s ?p ?_x_iri } ORDER BY ?_x_iri", None),
    ("SELECT ?s (COUNT(?_x_iri) AS ?n) WHERE { ?s ?p ?_x_iri } GROUP BY ?s", None),
]


@pytest.mark.parametrize("query,expected", SUBSTITUTE, ids=[f"substitute-{i}" for i in range(len(SUBSTITUTE))])
def test_substitute(query, expected):
    import pyoxigraph as ox

    from qkg.sparql_text import bind, inject_values, substitute

    term = {"_x_iri": ox.NamedNode(IRI)}
    assert substitute(query, term) == expected
    # bind() pastes where it can and falls back to VALUES blocks elsewhere
    assert bind(query, term) == (expected if expected is not None else inject_values(query, term))


def test_substitute_keeps_a_hostile_literal_one_token():
    import pyoxigraph as ox

    from qkg.sparql_text import substitute

    hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { "')
    text = substitute("SELECT * WHERE { ?s ?p ?_q }", {"_q": hostile})
    assert text == f"SELECT * WHERE {{ ?s ?p {hostile} }}"
    assert len(list(ox.Store().query(text))) == 0  # parses: the value stayed a literal


def test_substitute_leaves_blank_nodes_to_values():
    """A blank node in a query is a fresh variable, not the node: such bindings use VALUES."""
    import pyoxigraph as ox

    from qkg.sparql_text import substitute

    assert substitute("SELECT * WHERE { ?s ?p ?_b }", {"_b": ox.BlankNode("b1")}) is None


@pytest.mark.parametrize("query,form", [
    ("PREFIX select: <http://e/> SELECT * { ?s ?p ?o }", "select"),
    ("# CONSTRUCT\nASK { }", "ask"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "graph"),
    ("describe <http://e/x>", "graph"),
])
def test_query_form(query, form):
    from qkg.sparql_text import query_form

    assert query_form(query) == form


@pytest.mark.parametrize("query,ordered", [
    ("SELECT * { ?s ?p ?o } ORDER BY ?s", True),
    ("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }", False),
    ("SELECT * { ?s ?p 'ORDER BY' } # ORDER BY ?s", False),
])
def test_is_ordered(query, ordered):
    from qkg.sparql_text import is_ordered

    assert is_ordered(query) is ordered


def test_variables_in_order_of_first_use():
    from qkg.sparql_text import variables

    assert variables('SELECT ?a $b { ?a ?b "?c" } # ?d') == ["a", "b"]


@pytest.mark.parametrize("query,location", [
    ("SELECT * WHERE {\n ?s ?p \n}", "q.rq:3:2"),
    ("SELEKT * {}", "q.rq:1:10"),
])
def test_syntax_error_is_located(backend, query, location):
    with pytest.raises(QuerySyntaxError) as info:
        backend.query(query, source="q.rq")
    assert (info.value.location, "\n" in str(info.value)) == (location, False)


@pytest.mark.parametrize("endpoint", ["", "localhost:7878/query", "ftp://example.org/sparql", "http:///query"])
def test_endpoint_must_be_http(endpoint):
    from qkg.store import RemoteBackend

    with pytest.raises(UsageError, match="--endpoint"):
        RemoteBackend(endpoint)


@pytest.mark.parametrize("endpoint,store", [
    ("http://localhost:7878/query", "http://localhost:7878/store"),
    ("http://example.org/ds/sparql/", "http://example.org/ds/store"),
    ("http://example.org/ds", "http://example.org/ds/store"),
])
def test_default_graph_store(endpoint, store):
    from qkg.store import default_graph_store

    assert default_graph_store(endpoint) == store


def test_unreachable_endpoint_is_one_line():
    from qkg.store import RemoteBackend

    with pytest.raises(EndpointError, match="cannot reach the endpoint") as info:
        RemoteBackend("http://127.0.0.1:9/query", timeout=2).query("ASK {}")
    assert "\n" not in str(info.value)


def test_embedded_default_graph_is_the_union(backend):
    """The RDF merge of the named graphs: each triple once, however many graphs state it."""
    result = backend.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    union = backend.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert backend.merged and union.rows == result.rows


@pytest.mark.parametrize("text,expected", [
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", False),
    ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/qkg/graph/reference> WHERE { ?s ?p ?o }", True),
    ("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("# FROM <urn:x> in a comment\nSELECT * WHERE { ?s <urn:from> \"FROM\" }", False),
], ids=["none", "from", "from-named", "comment-iri-string"])
def test_declares_dataset(text, expected):
    from qkg.sparql_text import declares_dataset

    assert declares_dataset(text) is expected


def test_a_query_with_from_runs_on_its_own_dataset(backend, project):
    from qkg.graph import load_inputs

    reference = len(load_inputs(project).graphs["https://w3id.org/qkg/graph/reference"])
    text = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/qkg/graph/reference> WHERE { ?s ?p ?o }"
    assert backend.query(text).dicts() == [{"n": reference}]


@pytest.mark.parametrize("value,union", [(None, True), ("union", True), ("default", False)])
def test_endpoint_dataset_from_the_environment(monkeypatch, value, union):
    from qkg.store import backend_for

    if value is None:
        monkeypatch.delenv("QKG_ENDPOINT_DATASET", raising=False)
    else:
        monkeypatch.setenv("QKG_ENDPOINT_DATASET", value)
    assert backend_for("http://127.0.0.1:9/query").union is union


def test_endpoint_dataset_refuses_other_values(monkeypatch):
    from qkg.store import backend_for

    monkeypatch.setenv("QKG_ENDPOINT_DATASET", "merged")
    with pytest.raises(UsageError, match="QKG_ENDPOINT_DATASET"):
        backend_for("http://127.0.0.1:9/query")
