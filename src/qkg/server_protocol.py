"""``/sparql``: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), read-only.

Section 2.1: a query by GET (``?query=``), by POST form-encoded (``query=``) or POST
direct (``Content-Type: application/sparql-query``), with ``default-graph-uri`` and
``named-graph-uri`` (2.1.4: when either is given they make the dataset, overriding
FROM and FROM NAMED; when neither is, a query without FROM sees the union of the
named graphs as its default graph). Section 2.2 (update) is refused with 403 whatever
way an update comes: ``application/sparql-update``, an ``update=`` field, or update
operations in ``query=``. SERVICE is refused with 400: it would make the server fetch
URLs chosen by the caller.

A GET with no query answers with the SPARQL 1.1 Service Description
(https://www.w3.org/TR/sparql11-service-description/) in Turtle, N-Triples, JSON-LD or
RDF/XML; a browser (Accept prefers text/html) is redirected to the UI at ``/``.
"""
from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field

from qkg.server import MAX_DEPTH, MAX_QUERY_CHARS, Problem, State
from qkg.server_formats import GRAPH_TYPES, SOLUTION_TYPES, NotAcceptable, choose

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
QUERY_WORDS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
#: How often (in solutions) a worker looks at the clock.
CLOCK_EVERY = 64


@dataclass
class Shape:
    """What a lexical scan tells about a query before pyoxigraph parses it."""

    form: str = "select"
    update: bool = False
    service: bool = False
    dataset: bool = False  # FROM or FROM NAMED
    depth: int = 0


def inspect_query(text: str) -> Shape:
    """Scan ``text`` (comments, strings and IRIs skipped) for its form, update
    operations, SERVICE, a dataset clause and its deepest bracket nesting."""
    from qkg.sparql_text import tokens

    shape, depth, first, previous_end, previous = Shape(), 0, True, -1, ""
    for kind, tok, start, end in tokens(text):
        if kind in ("brace", "other") and tok in "{([":
            depth += 1
            shape.depth = max(shape.depth, depth)
        elif kind in ("brace", "other") and tok in "})]":
            depth -= 1
        elif kind == "word" and not (previous == ":" and previous_end == start):
            word = tok.upper()
            if first and word not in ("PREFIX", "BASE") and ":" not in tok:
                first = False
                shape.update = word in UPDATE_WORDS
                shape.form = QUERY_WORDS.get(word, "select")
            if word == "SERVICE":
                shape.service = True
            elif word == "FROM" and depth == 0:
                shape.dataset = True
            elif word in UPDATE_WORDS and previous == ";" and depth == 0:
                shape.update = True  # a second operation of an update request
        if kind != "comment":
            previous, previous_end = tok, end
    return shape


@dataclass
class Request:
    """A parsed protocol request."""

    query: str | None = None
    update: bool = False
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    fmt: str | None = None


def _pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` strictly: invalid UTF-8 is a 400."""
    try:
        return urllib.parse.parse_qsl(raw.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, f"the {what} is not valid UTF-8 (percent-encoded UTF-8 expected)") from None


def _fill(req: Request, pairs: list[tuple[str, str]]) -> None:
    for key, value in pairs:
        if key == "query":
            if req.query is not None:
                raise Problem(400, "give exactly one 'query' parameter")
            req.query = value
        elif key == "update":
            req.update = True
        elif key == "default-graph-uri":
            req.default_graphs.append(value)
        elif key == "named-graph-uri":
            req.named_graphs.append(value)
        elif key == "format":
            req.fmt = value


async def read_request(request, config) -> Request:
    """The query and dataset of a GET or POST request.

    :raises Problem: 400 malformed, 403 update, 413 too long, 415 unknown body type.
    """
    raw_qs = request.scope.get("query_string", b"")
    if len(raw_qs) > config.max_request_bytes:
        raise Problem(414, f"the query string is longer than {config.max_request_bytes} bytes; POST the query")
    req = Request()
    _fill(req, _pairs(raw_qs, "query string"))
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if ctype == "application/sparql-update":
            req.update = True
        elif ctype == "application/x-www-form-urlencoded":
            _fill(req, _pairs(body, "form body"))
        elif ctype == "application/sparql-query":
            if req.query is not None:
                raise Problem(400, "give the query either in the body or as a parameter, not both")
            try:
                req.query = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Problem(400, f"the query is not valid UTF-8 (byte {exc.start})") from None
        else:
            raise Problem(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded",
                          {"Accept-Post": "application/sparql-query, application/x-www-form-urlencoded"})
    if req.update:
        raise Problem(403, "this endpoint is read-only: SPARQL Update is not accepted")
    return req


def check_query(text: str) -> Shape:
    """The shape of a query the endpoint will run.

    :raises Problem: too long (413), too deeply nested, SERVICE (400), an update (403).
    """
    if len(text) > MAX_QUERY_CHARS:
        raise Problem(413, f"the query is longer than {MAX_QUERY_CHARS} characters")
    if "\x00" in text:
        raise Problem(400, "the query contains a NUL character")
    shape = inspect_query(text)
    if shape.update:
        raise Problem(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if shape.depth > MAX_DEPTH:
        raise Problem(400, f"the query nests brackets {shape.depth} deep; at most {MAX_DEPTH} are accepted")
    if shape.service:
        raise Problem(400, "SERVICE (federated query) is disabled on this endpoint")
    return shape


def dataset_args(shape: Shape, default_graphs: list[str], named_graphs: list[str], union: dict | None = None) -> dict:
    """pyoxigraph ``query()`` keyword arguments for the dataset of a request.

    :param union: the arguments giving the union default graph on this store
        (:meth:`qkg.store.EmbeddedBackend.dataset_args`; none when it holds the merge).
    """
    import pyoxigraph as ox

    def node(iri: str, param: str):
        try:
            return ox.NamedNode(iri)
        except ValueError:
            raise Problem(400, f"{param} is not a valid IRI: {iri[:100]!r}") from None

    if default_graphs or named_graphs:
        return {"default_graph": [node(g, "default-graph-uri") for g in default_graphs],
                "named_graphs": [node(g, "named-graph-uri") for g in named_graphs]}
    return {} if shape.dataset else ({"use_default_graph_as_union": True} if union is None else union)


@dataclass
class Payload:
    """A serialized query result."""

    body: bytes
    key: str  # serializer key (see qkg.server_formats)
    truncated: bool = False
    count: int = 0


def execute(store, text: str, kwargs: dict, keys: dict, max_rows: int, deadline: float) -> Payload:
    """Run a query and serialize its result; meant for a worker thread.

    :param keys: serializer key per kind of result (``select``/``ask`` share one,
        ``graph``), or a :class:`NotAcceptable` to raise if that kind comes up.
    :param max_rows: keep at most this many solutions or triples (0: all).
    :param deadline: ``time.monotonic()`` after which iteration stops.
    :raises SyntaxError: the query does not parse.
    """
    raw = store.query(text, **kwargs)
    try:
        payload, error = _serialize(raw, keys, max_rows, deadline), None
    except Exception as exc:
        payload, error = None, exc.with_traceback(None)
    # pyoxigraph's result iterators belong to the thread that made them: drop this one
    # here (the traceback, which would keep it, is cut), not on whichever thread later
    # collects the exception
    del raw
    if error is not None:
        raise error
    return payload


def _serialize(raw, keys: dict, max_rows: int, deadline: float) -> Payload:
    import pyoxigraph as ox

    from qkg import server_formats as sf
    from qkg.server import QueryTimeout

    kind = "select" if isinstance(raw, (ox.QuerySolutions, ox.QueryBoolean)) else "graph"
    key = keys[kind]
    if isinstance(key, Exception):
        raise key
    if isinstance(raw, ox.QueryBoolean):
        return Payload(sf.boolean_bytes(bool(raw), key), key, count=1)
    items, truncated = [], False
    for i, item in enumerate(raw):
        if max_rows and i >= max_rows:
            truncated = True
            break
        if i % CLOCK_EVERY == 0 and time.monotonic() > deadline:
            raise QueryTimeout(0)
        items.append(tuple(item) if kind == "select" else item)
    if kind == "select":
        variables = [v.value for v in raw.variables]
        return Payload(sf.solutions_bytes(variables, items, key), key, truncated, len(items))
    return Payload(sf.graph_bytes(items, key), key, truncated, len(items))


def negotiated_keys(accept: str | None, fmt: str | None, extra=()) -> dict:
    """Serializer key per kind of result; an unacceptable kind maps to its error."""
    keys = {}
    for kind, offers in (("select", SOLUTION_TYPES + list(extra)), ("graph", GRAPH_TYPES)):
        try:
            keys[kind] = choose(accept, fmt, offers)
        except NotAcceptable as exc:
            keys[kind] = exc
    return keys


async def run_query(state: State, text: str, kwargs: dict, keys: dict, shape: Shape):
    """Run ``text`` in the worker pool and build the HTTP response.

    :raises Problem: 400 syntax or evaluation error, 406, 503 timeout or busy.
    """
    from starlette.responses import Response

    from qkg.server import QueryTimeout
    from qkg.server_formats import CONTENT_TYPES
    from qkg.store import syntax_error

    needed = keys["graph" if shape.form == "graph" else "select"]
    if isinstance(needed, NotAcceptable):
        raise Problem(406, str(needed))
    config = state.config
    cache_key = (text, repr(sorted(kwargs.items())), repr(keys), config.max_rows)
    payload = state.results.get(cache_key)
    hit = payload is not None
    if not hit:
        def work(deadline: float) -> Payload:
            return execute(state.store, text, kwargs, keys, config.max_rows, deadline)

        try:
            payload = await state.runner.run(work, config.timeout)
        except SyntaxError as exc:
            raise Problem(400, str(syntax_error(str(exc)))) from None
        except NotAcceptable as exc:
            raise Problem(406, str(exc)) from None
        except QueryTimeout:
            raise QueryTimeout(config.timeout) from None
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise Problem(400, f"the query failed: {first}") from None
        except OSError as exc:
            raise Problem(500, f"the store could not be read: {exc}") from None
        state.results.put(cache_key, payload)
    headers = {"Vary": "Accept", "X-Qkg-Cache": "hit" if hit else "miss"}
    if payload.truncated:
        headers["X-Qkg-Truncated"] = "true"
        headers["X-Qkg-Row-Limit"] = str(config.max_rows)
    return Response(payload.body, media_type=CONTENT_TYPES[payload.key], headers=headers)


async def sparql(request):
    """The protocol endpoint: GET or POST."""
    state: State = request.app.state.qkg
    req = await read_request(request, state.config)
    if req.query is None:
        if request.method == "POST":
            raise Problem(400, "no query: send 'query' (form) or an application/sparql-query body")
        return service_description(request, state, req.fmt)
    shape = check_query(req.query)
    kwargs = dataset_args(shape, req.default_graphs, req.named_graphs, state.backend.dataset_args())
    keys = negotiated_keys(request.headers.get("accept"), req.fmt)
    return await run_query(state, req.query, kwargs, keys, shape)


def _prefers_html(accept: str | None) -> bool:
    """Whether a client names text/html (a browser) above every RDF format; ``*/*``
    alone (curl, libraries) does not count."""
    from qkg.server_formats import parse_accept

    ranges = parse_accept(accept)
    html = max((r.q for r in ranges if (r.type, r.subtype) == ("text", "html")), default=0.0)
    rdf = max((r.q for r in ranges for _, media, _ in GRAPH_TYPES if r.matches(media) >= 2), default=0.0)
    return html > 0 and html >= rdf


def service_description(request, state: State, fmt: str | None):
    """The Service Description of this endpoint, or a redirect to the UI for browsers."""
    from starlette.responses import RedirectResponse, Response

    from qkg.server_formats import CONTENT_TYPES, graph_bytes

    accept = request.headers.get("accept")
    if not fmt and not state.config.endpoint_only and _prefers_html(accept):
        return RedirectResponse("/", status_code=303)
    try:
        key = choose(accept, fmt, GRAPH_TYPES)
    except NotAcceptable as exc:
        raise Problem(406, str(exc)) from None
    endpoint = str(request.url.replace(query="", fragment=""))
    return Response(graph_bytes(description_triples(state, endpoint), key), media_type=CONTENT_TYPES[key],
                    headers={"Vary": "Accept"})


def description_triples(state: State, endpoint: str) -> list:
    """The sd: description: endpoint, language, formats, features and the dataset
    (each named graph with its triple count)."""
    import pyoxigraph as ox

    from qkg.namespaces import RDF, VOID

    if "graphs" not in state.cache:
        counts = state.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        state.cache["graphs"] = [(row[0].value, int(row[1].value)) for row in counts]
    n, b = ox.NamedNode, ox.BlankNode
    service, dataset, default = n(endpoint), b("dataset"), b("default")
    out = [ox.Triple(service, n(RDF + "type"), n(SD + "Service")),
           ox.Triple(service, n(SD + "endpoint"), service),
           ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
           ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
           ox.Triple(service, n(SD + "defaultDataset"), dataset),
           ox.Triple(dataset, n(RDF + "type"), n(SD + "Dataset")),
           ox.Triple(dataset, n(SD + "defaultGraph"), default),
           ox.Triple(default, n(RDF + "type"), n(SD + "Graph")),
           ox.Triple(default, n(VOID + "triples"), ox.Literal(str(sum(c for _, c in state.cache["graphs"])),
                                                              datatype=n("http://www.w3.org/2001/XMLSchema#integer")))]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        out.append(ox.Triple(service, n(SD + "resultFormat"), n(FORMATS + name)))
    for i, (graph, count) in enumerate(state.cache["graphs"]):
        named, g = b(f"named{i}"), b(f"graph{i}")
        out += [ox.Triple(dataset, n(SD + "namedGraph"), named),
                ox.Triple(named, n(RDF + "type"), n(SD + "NamedGraph")),
                ox.Triple(named, n(SD + "name"), n(graph)),
                ox.Triple(named, n(SD + "graph"), g),
                ox.Triple(g, n(RDF + "type"), n(SD + "Graph")),
                ox.Triple(g, n(VOID + "triples"), ox.Literal(str(count), datatype=n("http://www.w3.org/2001/XMLSchema#integer")))]
    return out


def routes(state: State) -> list:
    from starlette.routing import Route

    return [Route("/sparql", sparql, methods=["GET", "POST"])]
