"""The UI and the linked-data pages in-process: the YASGUI page and its configuration,
entity IRIs with content negotiation, their Concise Bounded Description, the ontology,
graphs, dataset and dumps, and request paths qkg never mints (:mod:`qkg.server_pages`)."""
from __future__ import annotations

import json

import pytest

from qkg.namespaces import GRAPH, ID, PREFIXES
from test_server import catalog, client  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


def test_ui_page(client):
    import re

    page = client.get("/")
    assert page.status_code == 200
    # the browser may load nothing from elsewhere (test_server_browser checks it obeys)
    assert "default-src 'self'; script-src 'self';" in page.headers["content-security-policy"]
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
                if q.graph_name not in (ox.NamedNode(GRAPH + "inferred"), ox.DefaultGraph())}
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
