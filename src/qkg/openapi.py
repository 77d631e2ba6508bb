"""The OpenAPI 3 document of the stored-query API, generated from the queries' ``#+`` metadata.

One operation per stored query (``GET /api/queries/NAME``): its ``summary``,
``description`` and ``tags`` are the query's; each parameter is a query-string
parameter with the type, default, enumeration and description of its ``#+`` lines
(https://spec.openapis.org/oas/v3.0.3). The SPARQL endpoint and the catalog listing
are described too, so one document covers what a client can call.
"""
from __future__ import annotations

OPENAPI_VERSION = "3.0.3"
#: Parameter type → JSON Schema (OpenAPI 3.0 dialect).
SCHEMAS = {
    "iri": {"type": "string", "format": "iri"},
    "integer": {"type": "integer"},
    "xsd_date": {"type": "string", "format": "date"},
    "string": {"type": "string"},
}
SOLUTION_MEDIA = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values", "text/markdown")
GRAPH_MEDIA = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def parameter(p) -> dict:
    """The OpenAPI parameter object of a :class:`qkg.queries.Parameter`."""
    from qkg.queries import TYPES

    schema = dict(SCHEMAS[p.type])
    if p.enumerate:
        schema["enum"] = list(p.enumerate)
    if p.default is not None:
        schema["default"] = int(p.default) if p.type == "integer" else p.default
    text = p.description or ""
    hint = TYPES[p.type]
    description = f"{text} ({hint})" if text else hint[0].upper() + hint[1:]
    return {"name": p.name, "in": "query", "required": bool(p.required and p.default is None),
            "description": description, "schema": schema}


def operation(q) -> dict:
    """The ``get`` operation running stored query ``q``."""
    media = GRAPH_MEDIA if q.form == "graph" else SOLUTION_MEDIA
    ref = "#/components/schemas/Graph" if q.form == "graph" else "#/components/schemas/SparqlResults"
    content = {m: {"schema": {"$ref": ref}} if m.endswith("json") else {"schema": {"type": "string"}} for m in media}
    description = q.description or q.summary
    return {
        "operationId": q.name,
        "summary": q.summary or q.name,
        "description": description + f"\n\nThe query: `queries/{q.name}.rq` ({q.form.upper()}).",
        "tags": list(q.tags) or ["queries"],
        "parameters": [parameter(p) for p in q.parameters],
        "responses": {
            "200": {"description": "the results; the format follows Accept (or a .csv, .tsv, … suffix "
                                   "on the name)",
                    "headers": {"X-Qkg-Truncated": {"description": "`true` when the row limit cut the "
                                                                   "results short",
                                                    "schema": {"type": "string"}}},
                    "content": content},
            "400": _error("a parameter is unknown, repeated, missing or of the wrong type"),
            "406": _error("none of the accepted media types fits this query"),
            "503": _error("the query ran past the server's timeout, or the server is busy"),
        },
    }


def _sparql_paths() -> dict:
    query = {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "a SPARQL 1.1 query; without it, the service description is returned"}
    graphs = [{"name": n, "in": "query", "required": False, "description": d,
               "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
               "style": "form", "explode": True}
              for n, d in (("default-graph-uri", "a graph of the default graph (repeatable)"),
                           ("named-graph-uri", "a named graph of the dataset (repeatable)"))]
    results = {m: {"schema": {"type": "string"}} for m in SOLUTION_MEDIA[:4] + GRAPH_MEDIA}
    responses = {"200": {"description": "query results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE)",
                         "content": results},
                 "400": {"description": "a syntax error (the parser's message) or a refused query"},
                 "403": {"description": "an update: the endpoint is read-only"},
                 "413": {"description": "the request or query is too long"},
                 "503": {"description": "timeout or busy"}}
    form = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
    return {"/sparql": {
        "get": {"operationId": "sparqlGet", "summary": "SPARQL 1.1 Protocol: query by GET", "tags": ["sparql"],
                "parameters": [query, *graphs], "responses": responses},
        "post": {"operationId": "sparqlPost", "summary": "SPARQL 1.1 Protocol: query by POST", "tags": ["sparql"],
                 "parameters": graphs,
                 "requestBody": {"required": True, "content": {
                     "application/sparql-query": {"schema": {"type": "string"}},
                     "application/x-www-form-urlencoded": {"schema": form}}},
                 "responses": responses},
    }}


def document(catalog, title: str = "qkg stored queries") -> dict:
    """The OpenAPI document for ``catalog`` (a :class:`qkg.queries.Catalog`)."""
    from qkg import __version__

    paths = {"/api/queries": {"get": {
        "operationId": "listQueries", "summary": "The stored queries with their parameters and text",
        "tags": ["catalog"],
        "responses": {"200": {"description": "the catalog", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"queries": {"type": "array", "items": {"type": "object"}}}}}}}},
    }}}
    for q in catalog:
        paths[f"/api/queries/{q.name}"] = {"get": operation(q)}
    paths.update(_sparql_paths())
    tags = sorted({t for q in catalog for t in (q.tags or ["queries"])})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": __version__,
                 "description": "Stored SPARQL queries over the qkg knowledge graph of quantum-technology "
                                "policy, generated from the `#+` metadata of `queries/*.rq`.",
                 "license": {"name": "CC-BY-4.0 (data), Apache-2.0 (code)"}},
        "servers": [{"url": "/"}],
        "tags": [{"name": t} for t in tags] + [{"name": "catalog"}, {"name": "sparql"}],
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["status", "error"],
                      "properties": {"status": {"type": "integer"}, "error": {"type": "string"}}},
            "SparqlResults": {"type": "object", "description": "SPARQL 1.1 Query Results JSON Format",
                              "properties": {"head": {"type": "object"}, "results": {"type": "object"},
                                             "boolean": {"type": "boolean"}}},
            "Graph": {"type": "array", "description": "JSON-LD (expanded form)", "items": {"type": "object"}},
        }},
    }
