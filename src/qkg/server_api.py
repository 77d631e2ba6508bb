"""``/api``: the stored queries as a REST API, described by OpenAPI 3.

==============================================  =========================================
``GET /api/queries``                            the catalog (JSON): names, metadata,
                                                parameters, query text
``GET /api/queries/NAME?param=value``           run a stored query (``.json``, ``.xml``,
                                                ``.csv``, ``.tsv``, ``.md``, ``.ttl``,
                                                ``.nt``, ``.jsonld`` or ``.rdf`` after
                                                the name, or Accept, choose the format)
``GET /api/queries/NAME/sparql?param=value``    the query text with the parameters bound,
                                                ready for ``/sparql``
``GET /api/openapi.json``                       the OpenAPI document (:mod:`qkg.openapi`)
``GET /api/``                                   a page that renders it (offline)
==============================================  =========================================

Parameters follow the command line's rules (:meth:`qkg.queries.StoredQuery.bind`): an
unknown, repeated, missing or ill-typed parameter is a 400 naming it; an unknown query
a 404 with the closest names. Errors are JSON: ``{"status": 400, "error": "..."}``.
"""
from __future__ import annotations

from qkg.server import Problem, State
from qkg.server_formats import GRAPH_TYPES, MARKDOWN, SOLUTION_TYPES

#: File-name style suffixes → serializer key.
SUFFIXES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "md": "md",
            "ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "rdf": "rdfxml"}


def catalog_json(catalog) -> dict:
    """The catalog as the API lists it."""
    out = []
    for q in catalog:
        item = q.to_dict()
        item["url"] = f"/api/queries/{q.name}"
        item["text"] = q.text
        out.append(item)
    return {"queries": out}


def _stored(state: State, name: str):
    from qkg.errors import UsageError

    try:
        return state.catalog.get(name)
    except UsageError as exc:
        raise Problem(404, str(exc.message)) from None


def _split(raw: str) -> tuple[str, str | None]:
    """``name.csv`` → ``("name", "csv")``; ``name.rq`` → ``("name", None)``; an unknown
    suffix is a 404."""
    name, dot, suffix = raw.rpartition(".")
    if not dot or suffix == "rq":
        return (name if dot else raw), None
    if suffix not in SUFFIXES:
        raise Problem(404, f"unknown format suffix .{suffix}; use one of " + ", ".join("." + s for s in SUFFIXES))
    return name, SUFFIXES[suffix]


def _values(request) -> dict[str, str]:
    """Query-string parameters, each at most once, strictly UTF-8."""
    from qkg.server_protocol import _pairs

    values: dict[str, str] = {}
    for key, value in _pairs(request.scope.get("query_string", b""), "query string"):
        if key in values:
            raise Problem(400, f"parameter {key!r}: given more than once")
        values[key] = value
    return values


def bound_text(state: State, query, values: dict) -> str:
    """The stored query's text with ``values`` bound as the CLI binds them.

    :raises Problem: 400 with the binding error.
    """
    from qkg.errors import UsageError
    from qkg.sparql_text import bind

    try:
        bindings = query.bind(values)
    except UsageError as exc:
        raise Problem(400, str(exc)) from None
    return bind(query.text, bindings)


async def list_queries(request):
    from starlette.responses import JSONResponse

    return JSONResponse(catalog_json(request.app.state.qkg.catalog))


async def run_stored(request):
    """Run a stored query with the request's parameters."""
    from qkg.server_formats import CONTENT_TYPES
    from qkg.server_protocol import NotAcceptable, check_query, negotiated_keys, run_query

    state: State = request.app.state.qkg
    name, suffix = _split(request.path_params["name"])
    query = _stored(state, name)
    text = bound_text(state, query, _values(request))
    keys = negotiated_keys(request.headers.get("accept"), None, extra=[MARKDOWN])
    if suffix:
        wanted = {k for _, _, k in (GRAPH_TYPES if query.form == "graph" else SOLUTION_TYPES + [MARKDOWN])}
        if suffix not in wanted:
            raise Problem(406, f"a {query.form.upper()} result is not written as .{suffix}; use one of "
                               + ", ".join(sorted("." + s for s, k in SUFFIXES.items() if k in wanted)))
        keys = {"select": suffix, "graph": suffix}
    elif isinstance(keys["graph" if query.form == "graph" else "select"], NotAcceptable):
        offers = GRAPH_TYPES if query.form == "graph" else SOLUTION_TYPES + [MARKDOWN]
        raise Problem(406, str(NotAcceptable(sorted({CONTENT_TYPES[k].split(";")[0] for _, _, k in offers}))))
    return await run_query(state, text, state.backend.dataset_args(text), keys, check_query(text))


async def stored_text(request):
    from starlette.responses import PlainTextResponse

    state: State = request.app.state.qkg
    query = _stored(state, request.path_params["name"])
    return PlainTextResponse(bound_text(state, query, _values(request)),
                             media_type="application/sparql-query; charset=utf-8")


async def openapi_json(request):
    from starlette.responses import JSONResponse

    from qkg.openapi import document

    state: State = request.app.state.qkg
    if "openapi" not in state.cache:
        state.cache["openapi"] = document(state.catalog)
    return JSONResponse(state.cache["openapi"])


async def api_page(request):
    from qkg.server_pages import static_file

    return static_file("ui/api.html")


async def api_root(request):
    from starlette.responses import RedirectResponse

    return RedirectResponse("/api/", status_code=308)


def routes(state: State) -> list:
    from starlette.routing import Route

    return [
        Route("/api", api_root, methods=["GET"]),
        Route("/api/", api_page, methods=["GET"]),
        Route("/api/openapi.json", openapi_json, methods=["GET"]),
        Route("/api/queries", list_queries, methods=["GET"]),
        Route("/api/queries/{name}", run_stored, methods=["GET"]),
        Route("/api/queries/{name}/sparql", stored_text, methods=["GET"]),
    ]
