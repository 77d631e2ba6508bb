"""``/api`` in-process: the catalog, every stored query and case with the rows the store
gives, the CLI's binding rules over HTTP, formats, errors, and the OpenAPI document
generated from the ``#+`` metadata (:mod:`qkg.server_api`, :mod:`qkg.openapi`)."""
from __future__ import annotations

import pytest

from test_params import HOSTILE
from test_queries import _cases, _catalog
from test_server import catalog, client, expected, make_client, parsed, send  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


def test_catalog_listing(client, catalog):
    data = client.get("/api/queries").json()
    assert [q["name"] for q in data["queries"]] == catalog.names()
    first = data["queries"][0]
    assert first["text"] == catalog.get(first["name"]).text and first["url"] == f"/api/queries/{first['name']}"


@pytest.mark.parametrize("name,case,params", _cases())
def test_stored_query_rows(client, backend, catalog, name, case, params):
    """Every stored query and case through the API gives the rows ``qkg query`` gives."""
    from qkg.sparql_text import bind

    query = catalog.get(name)
    bindings = query.bind(params)
    text = bind(query.text, bindings)
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
