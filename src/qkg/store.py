"""Query backends: the embedded pyoxigraph store (default) and any SPARQL 1.1 endpoint.

Both return :class:`Result` objects holding pyoxigraph terms, so formatting, tests and
the API do not care where a query ran. Both query the *union* of the named graphs as
the default graph: the embedded store in its default graph, where the fast build writes
their RDF merge (else with Oxigraph's union mode), an endpoint through
the dataset of the SPARQL 1.1 Protocol (``default-graph-uri`` and ``named-graph-uri``
listing every named graph), which any conforming endpoint honours.

Parameters are bound by value, the same way on both paths (:func:`qkg.sparql_text.bind`): each term,
serialized by pyoxigraph (escaped N-Triples syntax), is pasted over its variable where
a term can stand, as grlc does, else given by a ``VALUES`` block at the top of every
group that mentions it (:func:`qkg.sparql_text.inject_values`); no input can change the query's
structure either way. pyoxigraph's own substitutions (SEP-0007) are not used because
0.5 accepts them only for variables in the SELECT projection, which the grlc
convention of the stored queries forbids.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from qkg.errors import EndpointError, QuerySyntaxError, UsageError
from qkg.sparql_text import bind, declares_dataset, query_form

#: Environment variable naming a remote SPARQL endpoint to use instead of the embedded store.
ENDPOINT_ENV = "QKG_ENDPOINT"
#: ``default`` makes queries read the endpoint's own default graph (one that already holds
#: the merge of the named graphs) instead of listing every named graph per request.
ENDPOINT_DATASET_ENV = "QKG_ENDPOINT_DATASET"
#: Seconds to wait for a remote endpoint.
TIMEOUT = 60
_SYNTAX_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


@dataclass
class Result:
    """The result of a query: solutions, a boolean or triples."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)

    def dicts(self) -> list[dict]:
        """Rows as ``{variable: python value}``, unbound variables left out."""
        return [
            {v: python_value(t) for v, t in zip(self.variables, row) if t is not None}
            for row in self.rows
        ]


def python_value(term):
    """A plain Python value for a pyoxigraph term (IRIs and strings as ``str``)."""
    import datetime
    import decimal

    import pyoxigraph as ox

    if not isinstance(term, ox.Literal):
        return term.value
    dt = term.datatype.value.rsplit("#", 1)[-1]
    try:
        if dt in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"):
            return int(term.value)
        if dt == "decimal":
            return decimal.Decimal(term.value)
        if dt in ("double", "float"):
            return float(term.value)
        if dt == "boolean":
            return term.value in ("true", "1")
        if dt == "date":
            return datetime.date.fromisoformat(term.value)
        if dt == "dateTime":
            return datetime.datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        pass
    return term.value


def _from_pyoxigraph(raw) -> Result:
    import pyoxigraph as ox

    if isinstance(raw, ox.QueryBoolean):
        return Result("ask", boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        return Result("select", variables, [tuple(sol[v] for v in variables) for sol in raw])
    return Result("graph", triples=list(raw))


def syntax_error(message: str, source: str = "query") -> QuerySyntaxError:
    """A one-line :class:`QuerySyntaxError` located ``source:line:col`` where Oxigraph
    says where (its messages start ``error at LINE:COL:``)."""
    text = _first_line(message)
    m = _SYNTAX_AT.match(message.strip())
    if m:
        return QuerySyntaxError(_first_line(m.group(3)), f"{source}:{m.group(1)}:{m.group(2)}")
    return QuerySyntaxError(text, source)


def holds_merge(path: Path | str | None) -> bool:
    """Whether the built store at ``path`` holds the RDF merge of its named graphs in its
    default graph (its ``manifest.json`` says ``"default_graph": "merged"``)."""
    import json

    try:
        return json.loads((Path(path) / "manifest.json").read_text()).get("default_graph") == "merged"
    except (TypeError, OSError, ValueError):
        return False


class EmbeddedBackend:
    """A built pyoxigraph store on disk, opened read-only; the default graph is the
    union of all named graphs.

    A fast build writes that union into the store's default graph (each triple once,
    see :func:`qkg.build.build`), and queries read it there; otherwise Oxigraph's union
    mode gives it, which in pyoxigraph 0.5 repeats a triple once per graph stating it
    (Oxigraph issue 1919): same answers under DISTINCT, many times the work.

    :ivar merged: the default graph holds the merge (queries run without the union mode).
    """

    name = "embedded"

    def __init__(self, path: Path | str | None = None, store=None, merged: bool | None = None):
        import pyoxigraph as ox

        self.path = Path(path) if path else None
        self.store = store if store is not None else ox.Store.read_only(str(path))
        self.merged = holds_merge(self.path) if merged is None else merged

    def dataset_args(self, text: str | None = None) -> dict:
        """pyoxigraph ``query()`` keyword arguments that make the default graph the union
        of the named graphs, unless ``text`` declares its own dataset (FROM)."""
        if self.merged or (text is not None and declares_dataset(text)):
            return {}
        return {"use_default_graph_as_union": True}

    def query(self, text: str, bindings: dict | None = None, source: str = "query") -> Result:
        """Run a SPARQL query.

        :param bindings: variable name (without ``?``) → pyoxigraph term, bound by value.
        :param source: where the query text comes from, for error locations.
        :raises QuerySyntaxError: the query does not parse.
        """
        if bindings:
            text = bind(text, bindings)
        try:
            raw = self.store.query(text, **self.dataset_args(text))
        except SyntaxError as exc:
            raise syntax_error(str(exc), source) from None
        return _from_pyoxigraph(raw)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())


class RemoteBackend:
    """Any SPARQL 1.1 endpoint over the SPARQL 1.1 Protocol (POST, form-encoded).

    :param union: query the union of the endpoint's named graphs as the default graph
        (as the embedded store does) by listing them in the protocol's dataset
        parameters; ``False`` leaves the endpoint's own default graph.
    """

    name = "remote"

    def __init__(self, endpoint: str, timeout: float = TIMEOUT, union: bool = True):
        if not re.match(r"^https?://[^\s/]+", endpoint or ""):
            raise UsageError("the endpoint must be an http:// or https:// URL", "--endpoint")
        self.endpoint = endpoint
        self.timeout = timeout
        self.union = union
        self._graphs: list[str] | None = None

    def _request(self, url: str, data: bytes, content_type: str, accept: str, method: str = "POST") -> bytes:
        import urllib.error
        import urllib.request

        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": content_type, "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
            if exc.code == 400 and _SYNTAX_AT.match(body):
                raise syntax_error(body, "query") from None
            detail = body.splitlines()[0][:200] if body else exc.reason
            raise EndpointError(f"HTTP {exc.code}: {detail}", url) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(f"cannot reach the endpoint: {reason}", url) from None

    def named_graphs(self) -> list[str]:
        """The endpoint's named graphs (asked once, then remembered)."""
        import urllib.parse

        if self._graphs is None:
            body = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
            self._graphs = sorted(t.value for t, in self._select(body.encode()).rows if t is not None)
        return self._graphs

    def _select(self, form: bytes) -> Result:
        import pyoxigraph as ox

        body = self._request(self.endpoint, form, "application/x-www-form-urlencoded",
                             "application/sparql-results+json")
        try:
            return _from_pyoxigraph(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        except SyntaxError as exc:
            raise EndpointError(f"unreadable results: {_first_line(str(exc))}", self.endpoint) from None

    def query(self, text: str, bindings: dict | None = None, source: str = "query") -> Result:
        """Run a SPARQL query on the endpoint (see :meth:`EmbeddedBackend.query`)."""
        import urllib.parse

        import pyoxigraph as ox

        if bindings:
            text = bind(text, bindings)
        params = [("query", text)]
        if self.union:
            graphs = self.named_graphs()
            params += [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        form = urllib.parse.urlencode(params).encode()
        try:
            if query_form(text) != "graph":
                return self._select(form)
            body = self._request(self.endpoint, form, "application/x-www-form-urlencoded",
                                 "application/n-triples")
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(exc.message, (exc.location or "query").replace("query", source, 1)) from None
        try:
            return Result("graph", triples=[q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)])
        except SyntaxError as exc:
            raise EndpointError(f"unreadable N-Triples answer: {_first_line(str(exc))}", self.endpoint) from None

    def put_graph(self, graph_iri: str | None, ntriples: bytes, store_url: str | None = None) -> None:
        """Replace one named graph, or the default graph when ``graph_iri`` is None
        (SPARQL 1.1 Graph Store HTTP Protocol, PUT)."""
        import urllib.parse

        query = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri is not None else "default"
        self._request((store_url or default_graph_store(self.endpoint)) + "?" + query, ntriples,
                      "application/n-triples", "*/*", method="PUT")
        self._graphs = None


def push(source: EmbeddedBackend, target: RemoteBackend, store_url: str | None = None,
         log=None) -> dict[str | None, int]:
    """Copy every named graph of ``source`` (asserted and inferred) into ``target``,
    one Graph Store Protocol PUT per graph, and the merged default graph of a fast
    build's store into the endpoint's default graph (so that it can be read with
    ``QKG_ENDPOINT_DATASET=default``); returns the triple count of each graph (the
    default graph under ``None``).

    Each PUT replaces that graph; graphs the endpoint holds besides these are left alone.
    Blank nodes are scoped to one PUT: no blank node spans two named graphs, but those
    of the default graph are not those of the named graphs, so a query must not join
    the two on a blank node (the stored queries do not; tests/test_remote.py).
    """
    import pyoxigraph as ox

    counts: dict[str | None, int] = {}
    graphs = [ox.NamedNode(g) for g in source.named_graphs()] + ([ox.DefaultGraph()] if source.merged else [])
    for graph in graphs:
        triples = [q.triple for q in source.store.quads_for_pattern(None, None, None, graph)]
        name = graph.value if isinstance(graph, ox.NamedNode) else None
        target.put_graph(name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), store_url)
        counts[name] = len(triples)
        if log:
            log(f"pushed {len(triples)} triples into " + (f"<{name}>" if name else "the default graph"))
    return counts


def default_graph_store(endpoint: str) -> str:
    """The Graph Store Protocol URL next to a query endpoint (Oxigraph: /store)."""
    if endpoint.rstrip("/").endswith("/query"):
        return endpoint.rstrip("/")[: -len("/query")] + "/store"
    if endpoint.rstrip("/").endswith("/sparql"):
        return endpoint.rstrip("/")[: -len("/sparql")] + "/store"
    return endpoint.rstrip("/") + "/store"


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "syntax error"


def backend_for(endpoint: str | None = None, project=None, log=None, reasoner: str | None = None):
    """The remote backend when an endpoint is given (or ``$QKG_ENDPOINT``), else the
    embedded store of ``project``, built if needed."""
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV)
    if endpoint:
        dataset = os.environ.get(ENDPOINT_DATASET_ENV, "union")
        if dataset not in ("union", "default"):
            raise UsageError(f"{ENDPOINT_DATASET_ENV} must be 'union' or 'default', not {dataset!r}",
                             ENDPOINT_DATASET_ENV)
        return RemoteBackend(endpoint, union=dataset == "union")
    from qkg.build import ensure_built
    from qkg.paths import Project

    project = project or Project.find()
    return EmbeddedBackend(ensure_built(project, reasoner=reasoner, log=log))
