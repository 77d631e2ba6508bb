"""The server application in-process (Starlette's TestClient): the answer cache over
HTTP, gzip, CORS, the access log and ``--endpoint-only``; and the helpers
the other in-process suites share (``test_server_protocol``, ``test_server_api``,
``test_server_pages``).

Expected answers come from the embedded store itself (pyoxigraph, queried directly), so
each case checks that the server returns what the store holds, in the format asked for.
Real sockets, real clients and hostile requests are in ``test_server_live.py``.
"""
from __future__ import annotations

import json

import pytest

from qkg.namespaces import GRAPH

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


# -- shared helpers --------------------------------------------------------------------------

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

    if not kwargs:  # the union of the named graphs, as the server gives it (see EmbeddedBackend.dataset_args)
        merged = next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None
        kwargs = {} if merged else {"use_default_graph_as_union": True}
    answer = store.query(query, **kwargs)
    if media == "text/csv":
        return sorted(answer.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8").splitlines())
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    if isinstance(answer, ox.QuerySolutions):
        return sorted(tuple(str(t) for t in row) for row in answer)
    return {str(t) for t in answer}


def send(client, way: str, query: str, params: dict | None = None, headers: dict | None = None):
    params = dict(params or {})
    if way == "get":
        return client.get("/sparql", params={"query": query, **params}, headers=headers)
    if way == "post-form":
        return client.post("/sparql", params=params, data={"query": query}, headers=headers)
    return client.post("/sparql", params=params, content=query.encode(),
                       headers={"Content-Type": "application/sparql-query", **(headers or {})})


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"  # every pair of triples: over a second


# -- middleware and options -----------------------------------------------------------------

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


# -- the answer cache ------------------------------------------------------------------------

def test_repeated_request_is_served_from_the_cache(backend, catalog):
    with make_client(backend, catalog) as c:
        first = send(c, "get", SELECT)
        again = send(c, "get", SELECT)
        other = send(c, "get", SELECT, headers={"Accept": "text/csv"})
        dataset = send(c, "get", SELECT, {"default-graph-uri": GRAPH + "ontology"})
    assert [r.headers["x-qkg-cache"] for r in (first, again, other, dataset)] == ["miss", "hit", "miss", "miss"]
    assert again.content == first.content and again.headers["content-type"] == first.headers["content-type"]


def test_cache_off(backend, catalog):
    with make_client(backend, catalog, cache_bytes=0) as c:
        assert [send(c, "get", ASK).headers["x-qkg-cache"] for _ in range(2)] == ["miss", "miss"]


def test_errors_are_not_cached(backend, catalog):
    with make_client(backend, catalog, timeout=0.05) as c:
        assert [send(c, "get", SLOW).status_code for _ in range(2)] == [503, 503]
