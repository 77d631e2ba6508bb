"""``/sparql`` in-process: the SPARQL 1.1 Protocol (query by GET, POST form and POST
direct; dataset parameters; update and SERVICE refused; syntax errors), the service
description, content negotiation, and the limits on rows, request size, query shape,
encoding and time (:mod:`qkg.server_protocol`, :mod:`qkg.server_formats`)."""
from __future__ import annotations

import pytest

from qkg.namespaces import GRAPH
from test_server import (ASK, CONSTRUCT, COUNT, GRAPHS, P, SELECT, SLOW, catalog, client,  # noqa: F401
                         expected, make_client, parsed, send)

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


WAYS = ["get", "post-form", "post-direct"]


QUERIES = {"select": SELECT, "ask": ASK, "construct": CONSTRUCT}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("kind", QUERIES)
def test_query_by_each_way(client, backend, way, kind):
    response = send(client, way, QUERIES[kind])
    assert response.status_code == 200, response.text
    assert parsed(response.content, response.headers["content-type"]) == expected(backend.store, QUERIES[kind])


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p }", "SELEC * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o ",
    "SELECT * WHERE { ?s nope:p ?o }", "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }",
], ids=["missing-object", "misspelt-keyword", "unclosed-group", "unknown-prefix", "third-line"])
def test_syntax_error_is_400_with_the_parser_message(client, backend, query):
    """The answer is pyoxigraph's own message, located ``query:LINE:COL``, on one line."""
    from qkg.store import syntax_error

    with pytest.raises(SyntaxError) as parser:
        backend.store.query(query)
    response = send(client, "get", query)
    assert response.status_code == 400
    assert response.text == str(syntax_error(str(parser.value))) + "\n"
    assert response.text.startswith("query:") and response.text.count("\n") == 1


UPDATES = [
    ("post", {"content": b"INSERT DATA { <a:b> <a:b> <a:b> }", "headers": {"Content-Type": "application/sparql-update"}}),
    ("post", {"data": {"update": "INSERT DATA { <a:b> <a:b> <a:b> }"}}),
    ("get", {"params": {"query": "INSERT DATA { <a:b> <a:b> <a:b> }"}}),
    ("get", {"params": {"query": "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }"}}),
    ("post", {"data": {"query": "# comment\nLOAD <http://127.0.0.1:9/x>"}}),
    ("post", {"data": {"query": "CLEAR ALL"}}),
    ("post", {"data": {"query": "DROP GRAPH <https://w3id.org/qkg/graph/reference>"}}),
    ("post", {"data": {"query": "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"}}),
    ("get", {"params": {"update": "CLEAR ALL", "query": "ASK {}"}}),
]


@pytest.mark.parametrize("method,request_args", UPDATES,
                         ids=["sparql-update-body", "update-field", "insert-in-query", "delete-after-prefix",
                              "load", "clear", "drop", "with", "update-beside-query"])
def test_update_is_refused(client, method, request_args):
    response = getattr(client, method)("/sparql", **request_args)
    assert response.status_code == 403
    assert response.text == "this endpoint is read-only: SPARQL Update is not accepted\n"


@pytest.mark.parametrize("query,status", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 400),
    ("SELECT * WHERE { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }", 400),
    ("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:service ?o }", 200),
    ("PREFIX : <http://e/> SELECT * WHERE { ?s :SERVICE ?o }", 200),
    ('SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }', 200),
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>", 200),
], ids=["service", "service-silent-lowercase", "prefixed-name", "empty-prefix", "in-a-string", "in-a-comment"])
def test_service_is_refused_and_only_service(client, query, status):
    response = send(client, "post-form", query + (" LIMIT 1" if status == 200 else ""))
    assert response.status_code == status, response.text


def _dataset_cases():
    o, r, s = GRAPH + "ontology", GRAPH + "reference", GRAPH + "sources"
    return [
        pytest.param({}, COUNT, {}, id="none-is-the-union"),  # expected(): the store's union, each triple once
        pytest.param({"default-graph-uri": [o]}, COUNT, {"default_graph": [o], "named_graphs": []}, id="one-default"),
        pytest.param({"default-graph-uri": [o, r]}, COUNT, {"default_graph": [o, r], "named_graphs": []},
                     id="two-defaults-merge"),
        pytest.param({"named-graph-uri": [r]}, GRAPHS, {"default_graph": [], "named_graphs": [r]}, id="one-named"),
        pytest.param({"named-graph-uri": [r, s]}, GRAPHS, {"default_graph": [], "named_graphs": [r, s]},
                     id="two-named"),
        pytest.param({"named-graph-uri": [r]}, COUNT, {"default_graph": [], "named_graphs": [r]},
                     id="named-only-leaves-the-default-empty"),
        pytest.param({"default-graph-uri": [o]}, GRAPHS, {"default_graph": [o], "named_graphs": []},
                     id="default-only-leaves-no-named"),
        pytest.param({"default-graph-uri": [o], "named-graph-uri": [r]}, GRAPHS,
                     {"default_graph": [o], "named_graphs": [r]}, id="both"),
        pytest.param({}, f"SELECT (COUNT(*) AS ?n) FROM <{r}> WHERE {{ ?s ?p ?o }}", {"default_graph": [r]},
                     id="from-in-the-query"),
        pytest.param({"default-graph-uri": [o]}, f"SELECT (COUNT(*) AS ?n) FROM <{r}> WHERE {{ ?s ?p ?o }}",
                     {"default_graph": [o], "named_graphs": []}, id="protocol-overrides-from"),
    ]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("params,query,store_args", _dataset_cases())
def test_dataset_parameters(client, backend, way, params, query, store_args):
    import pyoxigraph as ox

    args = {k: [ox.NamedNode(g) for g in v] if isinstance(v, list) else v for k, v in store_args.items()}
    response = send(client, way, query, params)
    assert response.status_code == 200, response.text
    assert parsed(response.content, response.headers["content-type"]) == expected(backend.store, query, **args)


def test_dataset_case_counts_differ(backend):
    """The dataset cases can fail: the graphs they pick hold different numbers of triples."""
    import pyoxigraph as ox

    counts = {g: expected(backend.store, COUNT, default_graph=[ox.NamedNode(GRAPH + g)])
              for g in ("ontology", "reference", "sources")}
    assert len({str(c) for c in counts.values()}) == 3 and expected(backend.store, COUNT) not in counts.values()


@pytest.mark.parametrize("params,status,message", [
    ({"default-graph-uri": "not an iri"}, 400, "default-graph-uri is not a valid IRI"),
    ({"named-graph-uri": "<x>"}, 400, "named-graph-uri is not a valid IRI"),
], ids=["bad-default", "bad-named"])
def test_dataset_iri_checked(client, params, status, message):
    response = send(client, "get", COUNT, params)
    assert (response.status_code, response.text.split(":")[0]) == (status, message)


@pytest.mark.parametrize("request_args,status,message", [
    ({"method": "POST", "url": "/sparql", "content": b"", "headers": {"Content-Type": "application/sparql-query"}},
     400, "query:1:1:"),
    ({"method": "POST", "url": "/sparql", "data": {"other": "x"}}, 400, "no query"),
    ({"method": "GET", "url": "/sparql?query=ASK{}&query=ASK{}"}, 400, "give exactly one 'query' parameter"),
    ({"method": "POST", "url": "/sparql", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
     415, "POST a query as application/sparql-query"),
    ({"method": "POST", "url": "/sparql?query=ASK{}", "content": b"ASK {}",
      "headers": {"Content-Type": "application/sparql-query"}}, 400, "give the query either in the body"),
    ({"method": "PUT", "url": "/sparql", "content": b"ASK {}"}, 405, None),
], ids=["empty-direct-body-is-a-syntax-error", "form-without-query", "two-queries", "unknown-body-type",
        "query-twice", "put"])
def test_malformed_requests(client, request_args, status, message):
    response = client.request(**request_args)
    assert response.status_code == status
    if message:
        assert response.text.startswith(message)


def test_service_description(client, backend):
    import pyoxigraph as ox

    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    endpoint = ox.NamedNode("http://testserver/sparql")
    assert ox.Quad(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in triples
    names = sorted(t.object.value for t in triples if t.predicate.value == sd + "name")
    assert names == backend.named_graphs()


@pytest.mark.parametrize("accept,status,media", [
    ("*/*", 200, "text/turtle"),
    (None, 200, "text/turtle"),
    ("application/ld+json", 200, "application/ld+json"),
    ("application/n-triples", 200, "application/n-triples"),
    ("application/rdf+xml", 200, "application/rdf+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 303, None),
    ("text/html;q=0.5, text/turtle", 200, "text/turtle"),
    ("image/png", 406, None),
], ids=["any", "none", "jsonld", "ntriples", "rdfxml", "browser", "turtle-over-html", "unacceptable"])
def test_service_description_negotiation(client, accept, status, media):
    headers = {"Accept": accept} if accept else {"Accept": ""}
    response = client.get("/sparql", headers=headers, follow_redirects=False)
    assert response.status_code == status
    if media:
        assert response.headers["content-type"].split(";")[0] == media
        assert len(parsed(response.content, media)) > 20
    if status == 303:
        assert response.headers["location"] == "/"


NEGOTIATION = [
    ("select", "application/sparql-results+json", None, "application/sparql-results+json"),
    ("select", "application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("select", "text/csv", None, "text/csv"),
    ("select", "text/tab-separated-values", None, "text/tab-separated-values"),
    ("select", "application/json", None, "application/sparql-results+json"),
    ("select", "*/*", None, "application/sparql-results+json"),
    ("select", "", None, "application/sparql-results+json"),
    ("select", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None,
     "application/sparql-results+xml"),
    ("select", "text/csv;q=0.5, application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("select", "text/*", None, "text/csv"),
    ("select", "application/sparql-results+json", "csv", "text/csv"),
    ("select", "*/*", "xml", "application/sparql-results+xml"),
    ("select", "image/png", None, 406),
    ("select", "text/turtle", None, 406),
    ("ask", "application/sparql-results+json", None, "application/sparql-results+json"),
    ("ask", "application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("construct", "text/turtle", None, "text/turtle"),
    ("construct", "application/n-triples", None, "application/n-triples"),
    ("construct", "application/ld+json", None, "application/ld+json"),
    ("construct", "application/rdf+xml", None, "application/rdf+xml"),
    ("construct", "*/*", None, "text/turtle"),
    ("construct", "application/sparql-results+json,application/json", None, "application/ld+json"),
    ("construct", "text/turtle", "nt", "application/n-triples"),
    ("construct", "*/*", "xml", "application/rdf+xml"),
    ("construct", "text/csv", None, 406),
]


@pytest.mark.parametrize("kind,accept,fmt,answer", NEGOTIATION,
                         ids=[f"{k}-{a.split(',')[0].split(';')[0] or 'none'}-{f or 'accept'}"
                              .replace("/", "_").replace("*", "any") for k, a, f, _ in NEGOTIATION])
def test_content_negotiation(client, backend, kind, accept, fmt, answer):
    params = {"format": fmt} if fmt else {}
    response = send(client, "get", QUERIES[kind], params, headers={"Accept": accept})
    if answer == 406:
        assert response.status_code == 406 and "choose one of" in response.text
        return
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    assert media == answer
    assert parsed(response.content, media) == expected(backend.store, QUERIES[kind], media)


@pytest.mark.parametrize("query,limit,count,cut", [
    (SELECT, 5, 5, True),
    (CONSTRUCT, 7, 7, True),
    (P + "SELECT ?e WHERE { ?e a qkg:Event } LIMIT 3", 5, 3, False),
    (P + "SELECT ?e WHERE { ?e a qkg:Event } LIMIT 5", 5, 5, False),
], ids=["select-cut", "construct-cut", "under-the-limit", "at-the-limit"])
def test_row_limit(backend, catalog, query, limit, count, cut):
    with make_client(backend, catalog, max_rows=limit) as c:
        response = send(c, "get", query)
    assert response.status_code == 200
    assert len(parsed(response.content, response.headers["content-type"])) == count
    assert response.headers.get("x-qkg-truncated") == ("true" if cut else None)


@pytest.mark.parametrize("way,size,status", [
    ("post-direct", 2000, 413), ("post-form", 2000, 413), ("get", 2000, 414), ("post-direct", 900, 200),
], ids=["direct-body", "form-body", "query-string", "under-the-limit"])
def test_request_size_limit(backend, catalog, way, size, status):
    query = "ASK {}" + " " * (size - 6)
    with make_client(backend, catalog, max_request_bytes=1000) as c:
        response = send(c, way, query)
        assert response.status_code == status
        assert send(c, "get", "ASK {}").status_code == 200


@pytest.mark.parametrize("query,status,start", [
    ("ASK {}" + " " * (128 * 1024), 413, "the query is longer than"),
    ("SELECT * WHERE " + "{" * 101 + "}" * 101, 400, "the query nests brackets 101 deep"),
    ("SELECT * WHERE " + "{" * 10000 + "?s ?p ?o" + "}" * 10000, 400, "the query nests brackets 10000 deep"),
    ("ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", 400, "the query nests brackets"),
    ("ASK { ?s ?p " + "[ <http://x/p> " * 500 + "1" + " ]" * 500 + " }", 400, "the query nests brackets"),
    ("SELECT * WHERE " + "{" * 100 + "}" * 100, 200, None),
    ("ASK {\x00}", 400, "the query contains a NUL character"),
], ids=["too-long", "101-deep", "10000-deep", "parentheses", "blank-node-lists", "100-deep-is-fine", "nul"])
def test_query_shape_limits(client, query, status, start):
    response = send(client, "post-direct", query)
    assert response.status_code == status, response.text
    if start:
        assert response.text.startswith(start)


@pytest.mark.parametrize("way,body", [
    ("post-direct", b"ASK { ?s ?p \"\xff\" }"),
    ("post-form", b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D"),
    ("get", "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%C3%28%22%20%7D"),
], ids=["direct-body", "form-body", "query-string"])
def test_invalid_utf8_is_400(client, way, body):
    if way == "get":
        response = client.get(body)
    elif way == "post-form":
        response = client.post("/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = client.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "not valid UTF-8" in response.text


def test_timeout_is_503_and_the_server_goes_on(backend, catalog):
    with make_client(backend, catalog, timeout=0.05) as c:
        response = send(c, "get", SLOW)
        assert response.status_code == 503
        assert response.text.startswith("the query did not finish within 0.05 s")
        assert response.headers["retry-after"] == "1"
        assert send(c, "get", "ASK {}").status_code == 200


@pytest.mark.parametrize("text,form,update,service,dataset,depth", [
    ("SELECT * WHERE { ?s ?p ?o }", "select", False, False, False, 1),
    ("PREFIX a: <http://a/> BASE <http://b/> ASK { ?s a:p ?o }", "ask", False, False, False, 1),
    ("# INSERT\nCONSTRUCT WHERE { ?s ?p ?o }", "graph", False, False, False, 1),
    ("DESCRIBE <http://x/>", "graph", False, False, False, 0),
    ("PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }", "select", True, False, False, 1),
    ('SELECT * WHERE { ?s ?p "DELETE {" }', "select", False, False, False, 1),
    ("SELECT * FROM <http://g/> WHERE { ?s ?p ?o }", "select", False, False, True, 1),
    ("SELECT * FROM NAMED <http://g/> WHERE { GRAPH ?g { ?s ?p ?o } }", "select", False, False, True, 2),
    ("SELECT * WHERE { ?s <http://x/from> ?o }", "select", False, False, False, 1),
    ("SELECT * WHERE { SERVICE <http://s/> { ?s ?p ?o } }", "select", False, True, False, 2),
    ("SELECT * WHERE { ?s ?p ?o FILTER((1 + (2)) > 0) }", "select", False, False, False, 4),
    ("SELECT * WHERE { ?s ?p [ ?q [ ?r ?t ] ] }", "select", False, False, False, 3),
], ids=["select", "prologue", "comment", "describe", "insert", "keyword-in-string", "from", "from-named",
        "iri-ending-from", "service", "parentheses", "blank-node-lists"])
def test_inspect_query(text, form, update, service, dataset, depth):
    from qkg.server_protocol import inspect_query

    shape = inspect_query(text)
    assert (shape.form, shape.update, shape.service, shape.dataset, shape.depth) == (form, update, service, dataset,
                                                                                     depth)
