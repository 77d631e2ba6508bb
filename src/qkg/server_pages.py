"""The UI and the linked-data pages: every IRI under the base resolves on the server.

==============================================  =========================================
``/``                                           the query UI (YASGUI, served offline)
``/index.html``                                 the browsable index of the graph
``/id/KIND/SLUG``                               an entity: HTML for browsers; Turtle,
                                                N-Triples, JSON-LD or RDF/XML by Accept
``/id/KIND/SLUG/index.ttl``, ``index.jsonld``   its description as the static site has it
``/graph/ID``                                   a named graph (page, or its triples)
``/ontology``, ``/ontology/class/C.html``, …    the ontology (page, or ``graph/ontology``)
``/dataset``                                    the VoID/DCAT description
``/dump/qkg.trig``, … ``/dump/csv/T.csv``        the dumps the index page links to
``/static/…``                                   YASGUI, the UI's and the site's files
==============================================  =========================================

The RDF of an entity IRI is its Concise Bounded Description over the asserted graphs
(every statement with the entity as subject, and recursively those of the blank nodes
they reach), without ``graph/inferred``. ``index.ttl`` beside the page is the static
site's richer description (evidence included), byte for byte as ``qkg site`` writes it.
"""
from __future__ import annotations

import json
import re

from qkg.namespaces import BASE, GRAPH, ID, INFERRED_GRAPH, ONTOLOGY, PREFIXES, QKG
from qkg.server import Problem, State
from qkg.server_formats import CONTENT_TYPES, GRAPH_TYPES, NotAcceptable, negotiate

#: A path segment of an IRI qkg mints (slugs, graph ids); anything else is a 404.
_SEGMENT = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$")
HTML = ("html", "text/html", "html")
#: The UI pages may load nothing but this server's files: YASGUI is served offline.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")


def static_file(path: str):
    """A UI page of ``qkg/static``, under :data:`CSP`."""
    from importlib import resources

    from starlette.responses import Response

    data = resources.files("qkg").joinpath("static").joinpath(path).read_bytes()
    return Response(data, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": CSP})


def _iri_of(path: str) -> str:
    """The IRI a request path names; :raises Problem: 404 for a path qkg never mints."""
    segments = path.strip("/").split("/")
    if not all(_SEGMENT.match(s) for s in segments):
        raise Problem(404, "no such resource")
    return BASE + "/".join(segments)


def _want(request, offers) -> str:
    try:
        return negotiate(request.headers.get("accept"), offers)[0]
    except NotAcceptable as exc:
        raise Problem(406, str(exc)) from None


async def _threaded(fn, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


async def _html(state: State, iri: str):
    from starlette.responses import HTMLResponse

    from qkg import site

    page = await _threaded(site.render_entity, state.backend, iri, "/")
    if page is None:
        raise Problem(404, f"no page for {iri}")
    return HTMLResponse(page, headers={"Vary": "Accept"})


def _rdf(triples: list, key: str, iri: str):
    from starlette.responses import Response

    from qkg.server_formats import graph_bytes

    if not triples:
        raise Problem(404, f"nothing is known about {iri}")
    return Response(graph_bytes(triples, key), media_type=CONTENT_TYPES[key], headers={"Vary": "Accept"})


def description(store, iri: str) -> list:
    """The Concise Bounded Description of ``iri`` in the asserted graphs, deduplicated."""
    import pyoxigraph as ox

    inferred = ox.NamedNode(INFERRED_GRAPH)
    seen_nodes, seen, out = set(), set(), []
    todo = [ox.NamedNode(iri)]
    while todo:
        node = todo.pop()
        if node in seen_nodes:
            continue
        seen_nodes.add(node)
        for quad in store.quads_for_pattern(node, None, None):
            if quad.graph_name == inferred or isinstance(quad.graph_name, ox.DefaultGraph) or quad.triple in seen:
                continue
            seen.add(quad.triple)
            out.append(quad.triple)
            if isinstance(quad.object, ox.BlankNode):
                todo.append(quad.object)
    return out


def graph_triples(store, graph: str) -> list:
    """The triples of one named graph."""
    import pyoxigraph as ox

    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


async def entity(request):
    """``/id/…`` and ``/graph/…``: a page or RDF by Accept, or a sibling file."""
    state: State = request.app.state.qkg
    path = request.url.path
    for name, kind in (("/index.html", "html"), ("/index.ttl", "ttl"), ("/index.jsonld", "jsonld"),
                       ("/index.trig", "trig")):
        if path.endswith(name):
            return await _sibling(state, _iri_of(path[: -len(name)]), kind)
    iri = _iri_of(path)
    key = _want(request, [HTML, *GRAPH_TYPES])
    if key == "html":
        return await _html(state, iri)
    if iri.startswith(GRAPH):
        return _rdf(await _threaded(graph_triples, state.store, iri), key, iri)
    return _rdf(await _threaded(description, state.store, iri), key, iri)


async def _sibling(state: State, iri: str, kind: str):
    """The files the static site keeps beside a page, made on request."""
    from starlette.responses import Response

    if kind == "html":
        return await _html(state, iri)

    def make() -> bytes | None:
        import pyoxigraph as ox

        from qkg import export, jsonld, site
        from qkg.export_turtle import write_turtle

        if kind == "trig":
            quads = list(state.store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
            return export.serialize(quads, "trig") if quads and iri.startswith(GRAPH) else None
        if not iri.startswith(ID):
            return None
        quads = export.canonical(site.description_quads(site.snapshot(state.backend), iri), merge=True)
        if not quads:
            return None
        if kind == "ttl":
            return write_turtle((q.subject, q.predicate, q.object) for q in quads).encode("utf-8")
        return jsonld.dumps(jsonld.single(jsonld.from_quads(quads, frame="entity"))).encode("utf-8")

    data = await _threaded(make)
    if data is None:
        raise Problem(404, f"no such file for {iri}")
    media = {"ttl": CONTENT_TYPES["ttl"], "jsonld": "application/ld+json", "trig": "application/trig"}[kind]
    return Response(data, media_type=media)


async def ontology(request):
    """``/ontology``: its page, or the ontology graph by Accept; ``/ontology/index.ttl``."""
    state: State = request.app.state.qkg
    key = "ttl" if request.url.path.endswith("index.ttl") else _want(request, [HTML, *GRAPH_TYPES])
    if key == "html":
        return await _html(state, ONTOLOGY)
    return _rdf(await _threaded(graph_triples, state.store, GRAPH + "ontology"), key, ONTOLOGY)


async def ontology_term(request):
    """``/ontology/class/C.html`` and ``/ontology/property/p.html``."""
    local = request.path_params["local"]
    if not _SEGMENT.match(local):
        raise Problem(404, "no such term")
    return await _html(request.app.state.qkg, QKG + local)


async def dataset(request):
    """``/dataset``: the VoID and DCAT description (page, or RDF by Accept)."""
    from qkg.describe import DATASET, describe_triples

    state: State = request.app.state.qkg
    key = "ttl" if request.url.path.endswith("index.ttl") else _want(request, [HTML, *GRAPH_TYPES])
    if key == "html":
        return await _html(state, DATASET)
    endpoint = str(request.base_url) + "sparql"
    return _rdf(await _threaded(describe_triples, state.backend, endpoint), key, DATASET)


async def dump(request):
    """``/dump/qkg.EXT`` and ``/dump/csv/TABLE.csv``, made once and kept."""
    from starlette.responses import Response

    from qkg.export import DUMP_FORMATS, FORMATS

    state: State = request.app.state.qkg
    name = request.path_params["file"]
    by_name = {f"qkg{FORMATS[f].extension}": f for f in DUMP_FORMATS}

    def make():
        from qkg import export, tables

        if name in by_name:
            return export.export(state.backend, by_name[name]), FORMATS[by_name[name]].media_type
        if name.startswith("csv/") and name[4:-4] in tables.TABLE_NAMES and name.endswith(".csv"):
            header, rows = tables.build_tables(state.backend, [name[4:-4]])[name[4:-4]]
            return tables.render_csv(header, rows).encode("utf-8"), "text/csv; charset=utf-8"
        return None

    if name not in state.cache.setdefault("dumps", {}):
        made = await _threaded(make)
        if made is None:
            raise Problem(404, f"no dump called {name}")
        state.cache["dumps"][name] = made
    data, media = state.cache["dumps"][name]
    return Response(data, media_type=media)


async def index(request):
    from starlette.responses import HTMLResponse

    from qkg import site

    return HTMLResponse(await _threaded(site.render_index, request.app.state.qkg.backend, "/"))


async def search_index(request):
    """``/search-index.js`` (and ``.json``): the index page's search data."""
    from starlette.responses import Response

    from qkg import site

    state: State = request.app.state.qkg
    entries = await _threaded(lambda: site.search_entries(site.snapshot(state.backend)))
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    if request.url.path.endswith(".js"):
        return Response("window.QKG_SEARCH = " + text + ";\n", media_type="text/javascript; charset=utf-8")
    return Response(text, media_type="application/json")


def ui_config(state: State) -> dict:
    """What the UI needs to know: where to send queries and the prefixes to declare."""
    return {"endpoint": "/sparql", "queries": "/api/queries" if state.catalog is not None else None,
            "prefixes": PREFIXES}


async def home(request):
    """``/``: the YASGUI page with its configuration inlined."""
    from importlib import resources

    from starlette.responses import HTMLResponse

    state: State = request.app.state.qkg
    page = resources.files("qkg").joinpath("static/ui/index.html").read_text(encoding="utf-8")
    config = json.dumps(ui_config(state)).replace("</", "<\\/")
    return HTMLResponse(page.replace("{{config}}", config), headers={"Content-Security-Policy": CSP})


def routes(state: State) -> list:
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    get = ["GET"]
    return [
        Route("/", home, methods=get),
        Route("/index.html", index, methods=get),
        Route("/search-index.js", search_index, methods=get),
        Route("/search-index.json", search_index, methods=get),
        Route("/id/{path:path}", entity, methods=get),
        Route("/graph/{path:path}", entity, methods=get),
        Route("/ontology", ontology, methods=get),
        Route("/ontology/", ontology, methods=get),
        Route("/ontology/index.ttl", ontology, methods=get),
        Route("/ontology/class/{local}.html", ontology_term, methods=get),
        Route("/ontology/property/{local}.html", ontology_term, methods=get),
        Route("/dataset", dataset, methods=get),
        Route("/dataset/", dataset, methods=get),
        Route("/dataset/index.ttl", dataset, methods=get),
        Route("/dump/{file:path}", dump, methods=get),
        Mount("/static", StaticFiles(packages=[("qkg", "static")]), name="static"),
    ]
