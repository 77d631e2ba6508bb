"""The HTTP server in-process (Starlette's TestClient): the SPARQL 1.1 Protocol, content
negotiation, limits, the stored-query API, OpenAPI, the UI and the entity pages.

Expected answers come from the embedded store itself (pyoxigraph, queried directly), so
each case checks that the server returns what the store holds, in the format asked for.
Real sockets, real clients and hostile requests are in ``test_server_live.py``.
"""
from __future__ import annotations

import asyncio
import json
import threading

import pytest

from qkg.namespaces import GRAPH, ID, PREFIXES
from test_params import HOSTILE
from test_queries import _cases, _catalog

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

P = "PREFIX qkg: <https://w3id.org/qkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
SELECT = P + "SELECT ?e ?label WHERE { ?e a qkg:Event ; rdfs:label ?label } ORDER BY ?e ?label"
ASK = P + "ASK { ?e a qkg:Event }"
CONSTRUCT = P + "CONSTRUCT { ?e a qkg:Event ; rdfs:label ?label } WHERE { ?e a qkg:Event ; rdfs:label ?label }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def catalog(project):
    from qkg.queries import Catalog

    return Catalog.load(project)


def make_client(backend, catalog, **options):
    from starlette.testclient import TestClient

    from qkg.server import ServerConfig, create_app

    options.setdefault("access_log", False)
    return TestClient(create_app(backend, catalog, ServerConfig(**options)))


@pytest.fixture(scope="module")
def client(backend, catalog):
    with make_client(backend, catalog) as c:
        yield c


# -- reading answers -------------------------------------------------------------------------

def parsed(body: bytes, media_type: str):
    """A comparable form of a result body: sorted rows, a boolean, or a set of triples
    (CSV, which pyoxigraph does not read back, as its sorted lines)."""
    import pyoxigraph as ox

    media = media_type.split(";")[0].strip()
    if media == "text/csv":
        return sorted(body.decode("utf-8").splitlines())
    results = ox.QueryResultsFormat.from_media_type(media)
    if results is not None:
        answer = ox.parse_query_results(body, format=results)
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        return sorted(tuple(str(t) for t in row) for row in answer)
    fmt = ox.RdfFormat.from_media_type(media)
    return {str(q.triple) for q in ox.parse(body, format=fmt)}


def expected(store, query: str, media: str | None = None, **kwargs):
    """The same comparable form, straight from the store."""
    import pyoxigraph as ox

    kwargs = kwargs or {"use_default_graph_as_union": True}
    answer = store.query(query, **kwargs)
    if media == "text/csv":
        return sorted(answer.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8").splitlines())
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    if isinstance(answer, ox.QuerySolutions):
        return sorted(tuple(str(t) for t in row) for row in answer)
    return {str(t) for t in answer}


# -- the protocol ----------------------------------------------------------------------------

def send(client, way: str, query: str, params: dict | None = None, headers: dict | None = None):
    params = dict(params or {})
    if way == "get":
        return client.get("/sparql", params={"query": query, **params}, headers=headers)
    if way == "post-form":
        return client.post("/sparql", params=params, data={"query": query}, headers=headers)
    return client.post("/sparql", params=params, content=query.encode(),
                       headers={"Content-Type": "application/sparql-query", **(headers or {})})


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
        pytest.param({}, COUNT, {"use_default_graph_as_union": True}, id="none-is-the-union"),
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


# -- service description ---------------------------------------------------------------------

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


# -- content negotiation ---------------------------------------------------------------------

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


# -- limits ----------------------------------------------------------------------------------

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


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"  # 4,313² pairs: over a second


def test_timeout_is_503_and_the_server_goes_on(backend, catalog):
    with make_client(backend, catalog, timeout=0.05) as c:
        response = send(c, "get", SLOW)
        assert response.status_code == 503
        assert response.text.startswith("the query did not finish within 0.05 s")
        assert response.headers["retry-after"] == "1"
        assert send(c, "get", "ASK {}").status_code == 200


def test_runner_refuses_when_full():
    """One worker, no queue: a second query while the first runs is a 503, not a wait."""
    from qkg.server import Problem, QueryRunner

    runner, release = QueryRunner(1, 0, stack=0), threading.Event()

    async def scenario():
        first = asyncio.ensure_future(runner.run(lambda deadline: release.wait(5), 5))
        await asyncio.sleep(0.05)
        with pytest.raises(Problem) as refused:
            await runner.run(lambda deadline: 1, 5)
        release.set()
        return await first, refused.value

    result, refused = asyncio.run(scenario())
    runner.close()
    assert (result, refused.status) == (True, 503) and "busy" in refused.message


def test_runner_times_out_and_skips_work_past_its_deadline():
    from qkg.server import QueryRunner, QueryTimeout

    runner, release, ran = QueryRunner(1, 4, stack=0), threading.Event(), []

    async def scenario():
        blocker = asyncio.ensure_future(runner.run(lambda deadline: release.wait(5), 5))
        await asyncio.sleep(0.05)
        with pytest.raises(QueryTimeout):
            await runner.run(lambda deadline: ran.append(1), 0.05)  # queued behind the blocker
        release.set()
        await blocker
        return await runner.run(lambda deadline: "after", 5)

    assert asyncio.run(scenario()) == "after"
    runner.close()
    assert ran == []


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


# -- the stored-query API --------------------------------------------------------------------

def test_catalog_listing(client, catalog):
    data = client.get("/api/queries").json()
    assert [q["name"] for q in data["queries"]] == catalog.names()
    first = data["queries"][0]
    assert first["text"] == catalog.get(first["name"]).text and first["url"] == f"/api/queries/{first['name']}"


@pytest.mark.parametrize("name,case,params", _cases())
def test_stored_query_rows(client, backend, catalog, name, case, params):
    """Every stored query and case through the API gives the rows ``qkg query`` gives."""
    from qkg.store import inject_values

    query = catalog.get(name)
    bindings = query.bind(params)
    text = inject_values(query.text, bindings) if bindings else query.text
    response = client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    assert parsed(response.content, response.headers["content-type"]) == expected(backend.store, text)


@pytest.mark.parametrize("name,case,params", _cases()[:3] + [c for c in _cases() if c.values[2]][:3])
def test_bound_text_runs_the_same_on_the_endpoint(client, name, case, params):
    text = client.get(f"/api/queries/{name}/sparql", params=params)
    assert text.status_code == 200 and text.headers["content-type"].startswith("application/sparql-query")
    via_api = client.get(f"/api/queries/{name}", params=params)
    via_endpoint = send(client, "post-direct", text.text)
    assert parsed(via_endpoint.content, via_endpoint.headers["content-type"]) == \
        parsed(via_api.content, via_api.headers["content-type"])


@pytest.mark.parametrize("url,status,message", [
    ("/api/queries/describe-actr", 404, "unknown query 'describe-actr'; did you mean describe-actor"),
    ("/api/queries/describe-actor?actr=qorg:q-star", 400,
     "parameter 'actr': query 'describe-actor' has no such parameter; did you mean 'actor'?"),
    ("/api/queries/describe-actor?actor=qorg:q-star&actor=qorg:q-star", 400, "parameter 'actor': given more than once"),
    ("/api/queries/describe-actor?actor=nope:x", 400, "parameter 'actor': expected a full IRI or a prefixed name"),
    ("/api/queries/count-co-participation?min=two", 400, "parameter 'min': expected an integer"),
    ("/api/queries/list-events-timeline?from=2021-02-30", 400, "parameter 'from': expected a date"),
    ("/api/queries/list-documents.png", 404, "unknown format suffix .png"),
    ("/api/queries/construct-event-network.csv", 406, "a GRAPH result is not written as .csv"),
    ("/api/queries/list-documents.ttl", 406, "a SELECT result is not written as .ttl"),
    ("/api/queries/list-documents?x=%FF", 400, "the query string is not valid UTF-8"),
], ids=["unknown-query", "unknown-parameter", "repeated", "bad-iri", "bad-integer", "bad-date", "unknown-suffix",
        "csv-for-a-graph", "turtle-for-solutions", "invalid-utf8"])
def test_api_errors(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["error"].startswith(message), body


@pytest.fixture(scope="module")
def echo_client(backend, tmp_path_factory):
    """A server whose one stored query has a required string parameter and echoes it."""
    from qkg.queries import Catalog, parse_query_file
    from test_params import ECHO

    directory = tmp_path_factory.mktemp("queries")
    (directory / "echo-text.rq").write_text(ECHO, encoding="utf-8")
    with make_client(backend, Catalog(directory, {"echo-text": parse_query_file(directory / "echo-text.rq")})) as c:
        yield c


def test_required_parameter_is_asked_for(echo_client):
    response = echo_client.get("/api/queries/echo-text")
    assert response.status_code == 400
    assert response.json()["error"] == "parameter 'text': query 'echo-text' needs this parameter: any text"


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_value_comes_back_verbatim(echo_client, text):
    """Bound by value over HTTP too: the text returns unchanged, in exactly one row."""
    response = echo_client.get("/api/queries/echo-text", params={"text": text})
    rows = response.json()["results"]["bindings"]
    assert [(r["v"]["value"], int(r["n"]["value"])) for r in rows] == [(text, 1)]


@pytest.mark.parametrize("suffix,accept,media", [
    ("", None, "application/sparql-results+json"),
    (".json", None, "application/sparql-results+json"),
    (".xml", None, "application/sparql-results+xml"),
    (".csv", None, "text/csv"),
    (".tsv", None, "text/tab-separated-values"),
    (".md", None, "text/markdown"),
    ("", "text/markdown", "text/markdown"),
    ("", "text/csv", "text/csv"),
    (".csv", "application/sparql-results+json", "text/csv"),
], ids=["default", "json", "xml", "csv", "tsv", "md", "accept-md", "accept-csv", "suffix-wins"])
def test_api_formats(client, backend, catalog, suffix, accept, media):
    response = client.get(f"/api/queries/list-documents{suffix}", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    if media == "text/markdown":
        rows = expected(backend.store, catalog.get("list-documents").text)
        assert response.text.count("\n") == len(rows) + 2
    else:
        assert parsed(response.content, media) == expected(backend.store, catalog.get("list-documents").text, media)


def test_api_graph_formats(client, backend, catalog):
    text = catalog.get("construct-event-network").text
    for suffix, media in ((".ttl", "text/turtle"), (".nt", "application/n-triples"),
                          (".jsonld", "application/ld+json"), (".rdf", "application/rdf+xml")):
        response = client.get(f"/api/queries/construct-event-network{suffix}")
        assert response.headers["content-type"].split(";")[0] == media
        assert parsed(response.content, media) == expected(backend.store, text), suffix


# -- OpenAPI ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def openapi(client):
    return client.get("/api/openapi.json").json()


def test_openapi_document(openapi, catalog):
    from qkg import __version__

    assert openapi["openapi"].startswith("3.") and openapi["info"]["version"] == __version__
    assert sorted(p for p in openapi["paths"] if p.startswith("/api/queries/")) == \
        sorted(f"/api/queries/{n}" for n in catalog.names())
    ids = [op["operationId"] for path in openapi["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_openapi_references_resolve(openapi):
    refs = set(_refs(openapi))
    assert refs and all(r.split("/")[-1] in openapi["components"]["schemas"] for r in refs)


@pytest.mark.parametrize("name,parameter", [pytest.param(q.name, p.name, id=f"{q.name}:{p.name}")
                                            for q in _catalog() for p in q.parameters])
def test_openapi_parameter(openapi, catalog, name, parameter):
    p = catalog.get(name).parameter(parameter)
    op = openapi["paths"][f"/api/queries/{name}"]["get"]
    (doc,) = [d for d in op["parameters"] if d["name"] == parameter]
    assert doc["in"] == "query" and doc["required"] == (p.required and p.default is None)
    assert doc["schema"]["type"] == ("integer" if p.type == "integer" else "string")
    assert doc["schema"].get("enum") == p.enumerate
    assert p.description in doc["description"]
    if p.default is not None:
        assert str(doc["schema"]["default"]) == p.default
    operation = catalog.get(name)
    assert op["summary"] == operation.summary and op["tags"] == operation.tags


def test_openapi_page_is_offline(client):
    page = client.get("/api/")
    assert page.status_code == 200 and "/static/ui/api.js" in page.text
    assert client.get("/static/ui/api.js").status_code == 200
    assert "http://" not in page.text and "https://" not in page.text


# -- UI, pages, middleware -------------------------------------------------------------------

def test_ui_page(client):
    import re

    page = client.get("/")
    assert page.status_code == 200
    config = json.loads(re.search(r'<script id="qkg-config" type="application/json">(.*?)</script>', page.text).group(1))
    assert config == {"endpoint": "/sparql", "queries": "/api/queries", "prefixes": PREFIXES}
    for asset in ("/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css", "/static/ui/ui.js",
                  "/static/ui/ui.css", "/static/yasgui/LICENSE"):
        assert asset == "/static/yasgui/LICENSE" or asset in page.text
        assert client.get(asset).status_code == 200, asset
    assert "https://" not in page.text.replace(json.dumps(PREFIXES), "")


ENTITY = ID + "org/q-star"
PAGES = [
    ("/id/org/q-star", "text/html", 200, "text/html"),
    ("/id/org/q-star", "text/turtle", 200, "text/turtle"),
    ("/id/org/q-star", "application/n-triples", 200, "application/n-triples"),
    ("/id/org/q-star", "application/ld+json", 200, "application/ld+json"),
    ("/id/org/q-star", "application/rdf+xml", 200, "application/rdf+xml"),
    ("/id/org/q-star", "image/png", 406, None),
    ("/id/org/q-star/index.ttl", "*/*", 200, "text/turtle"),
    ("/id/org/q-star/index.jsonld", "*/*", 200, "application/ld+json"),
    ("/id/org/q-star/index.html", "*/*", 200, "text/html"),
    ("/id/org/no-such-org", "text/html", 404, None),
    ("/id/org/no-such-org", "text/turtle", 404, None),
    ("/graph/reference", "text/html", 200, "text/html"),
    ("/graph/reference", "application/n-triples", 200, "application/n-triples"),
    ("/graph/reference/index.trig", "*/*", 200, "application/trig"),
    ("/ontology", "text/html", 200, "text/html"),
    ("/ontology", "text/turtle", 200, "text/turtle"),
    ("/ontology/index.ttl", "*/*", 200, "text/turtle"),
    ("/ontology/class/Event.html", "*/*", 200, "text/html"),
    ("/ontology/class/NoSuchClass.html", "*/*", 404, None),
    ("/dataset", "text/turtle", 200, "text/turtle"),
    ("/dataset", "text/html", 200, "text/html"),
    ("/index.html", "*/*", 200, "text/html"),
    ("/search-index.js", "*/*", 200, "text/javascript"),
    ("/dump/qkg.nt", "*/*", 200, "application/n-triples"),
    ("/dump/nope.txt", "*/*", 404, None),
]


@pytest.mark.parametrize("path,accept,status,media", PAGES,
                         ids=[f"{p}-{a.split('/')[-1]}" for p, a, _, _ in PAGES])
def test_pages(client, path, accept, status, media):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == status, response.text[:200]
    if media:
        assert response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize("media", ["text/turtle", "application/n-triples", "application/ld+json",
                                   "application/rdf+xml"])
def test_entity_description_is_its_cbd(client, backend, media):
    """Every asserted statement about the entity, its blank nodes' statements, nothing else."""
    import pyoxigraph as ox

    response = client.get("/id/org/q-star", headers={"Accept": media})
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.from_media_type(media))]
    node = ox.NamedNode(ENTITY)
    own = {(t.predicate, t.object) for t in triples if t.subject == node}
    asserted = {(q.predicate, q.object) for q in backend.store.quads_for_pattern(node, None, None)
                if q.graph_name != ox.NamedNode(GRAPH + "inferred")}
    assert own == asserted
    assert all(t.subject == node or isinstance(t.subject, ox.BlankNode) for t in triples)


@pytest.mark.parametrize("path", [
    "../../etc/passwd", "..", ".", "org/..", "org/q-star%00", "org/q star", "org/<x>", "org//q-star", "org/\x00",
])
def test_entity_paths_outside_what_qkg_mints_are_404(path):
    from qkg.server import Problem
    from qkg.server_pages import _iri_of

    with pytest.raises(Problem) as refused:
        _iri_of("id/" + path)
    assert refused.value.status == 404


def test_gzip(client):
    response = client.get("/static/yasgui/yasgui.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip" and len(response.content) > 900_000
    raw = client.get("/sparql", params={"query": SELECT}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers


@pytest.mark.parametrize("origins,origin,allowed", [
    (["http://example.org"], "http://example.org", "http://example.org"),
    (["http://example.org"], "http://evil.example", None),
    (["*"], "http://anywhere.example", "*"),
    ([], "http://example.org", None),
], ids=["listed", "not-listed", "any", "off"])
def test_cors(backend, catalog, origins, origin, allowed):
    with make_client(backend, catalog, cors=origins) as c:
        simple = c.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": origin})
        preflight = c.options("/sparql", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
    assert simple.headers.get("access-control-allow-origin") == allowed
    if allowed:
        assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


def test_access_log(backend, catalog, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="qkg.access"), make_client(backend, catalog, access_log=True) as c:
        c.get("/sparql", params={"query": "ASK {}"})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "qkg.access"]
    assert line.startswith('testclient "GET /sparql?query=ASK+%7B%7D" 200 26 ') and line.endswith("ms")


def test_endpoint_only(backend):
    with make_client(backend, None, endpoint_only=True) as c:
        assert c.get("/").status_code == 404
        assert c.get("/api/queries").status_code == 404
        assert c.get("/id/org/q-star").status_code == 404
        assert c.get("/sparql", params={"query": "ASK {}"}).json() == {"head": {}, "boolean": True}
        sd = c.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"}, follow_redirects=False)
        assert sd.status_code == 200 and sd.headers["content-type"].startswith("text/turtle")


def test_gzip_body_is_valid(client):
    response = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(response.content)["openapi"].startswith("3.")  # httpx decoded it
