"""Query backends: the embedded pyoxigraph store (default) and any SPARQL 1.1 endpoint.

Both return :class:`Result` objects holding pyoxigraph terms, so formatting, tests and
the API do not care where a query ran. Parameters are bound by value: the embedded
backend uses pyoxigraph's substitutions (SEP-0007); the remote backend adds a VALUES
block of terms serialized by pyoxigraph at the top of the outermost WHERE, so no input
can change the query's structure on either path.
"""
from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from qkg.errors import EndpointError, QuerySyntaxError

#: Environment variable naming a remote SPARQL endpoint to use instead of the embedded store.
ENDPOINT_ENV = "QKG_ENDPOINT"
#: Seconds to wait for a remote endpoint.
TIMEOUT = 60


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


class EmbeddedBackend:
    """A built pyoxigraph store on disk, opened read-only; the default graph is the
    union of all named graphs."""

    name = "embedded"

    def __init__(self, path: Path | str | None = None, store=None):
        import pyoxigraph as ox

        self.path = Path(path) if path else None
        self.store = store if store is not None else ox.Store.read_only(str(path))

    def query(self, text: str, bindings: dict | None = None) -> Result:
        """Run a SPARQL query; ``bindings`` maps variable names to pyoxigraph terms."""
        import pyoxigraph as ox

        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        try:
            raw = self.store.query(text, use_default_graph_as_union=True, substitutions=subs or None)
        except SyntaxError as exc:
            raise QuerySyntaxError(_first_line(str(exc)), "query") from None
        return _from_pyoxigraph(raw)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())


class RemoteBackend:
    """Any SPARQL 1.1 endpoint over the SPARQL 1.1 Protocol (POST, form-encoded)."""

    name = "remote"

    def __init__(self, endpoint: str, timeout: float = TIMEOUT):
        if not re.match(r"^https?://", endpoint or ""):
            raise EndpointError("the endpoint must be an http:// or https:// URL", "--endpoint")
        self.endpoint = endpoint
        self.timeout = timeout

    def _post(self, url: str, data: bytes, content_type: str, accept: str, method: str = "POST") -> bytes:
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": content_type, "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip().splitlines()
            detail = body[0][:200] if body else exc.reason
            raise EndpointError(f"HTTP {exc.code}: {detail}", url) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(f"cannot reach the endpoint: {reason}", url) from None

    def query(self, text: str, bindings: dict | None = None) -> Result:
        import pyoxigraph as ox

        if bindings:
            text = inject_values(text, bindings)
        form = urllib.parse.urlencode({"query": text}).encode()
        kind = query_form(text)
        if kind == "graph":
            body = self._post(self.endpoint, form, "application/x-www-form-urlencoded", "application/n-triples")
            try:
                return Result("graph", triples=[q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)])
            except SyntaxError as exc:
                raise EndpointError(f"unreadable N-Triples answer: {_first_line(str(exc))}", self.endpoint) from None
        body = self._post(self.endpoint, form, "application/x-www-form-urlencoded",
                          "application/sparql-results+json")
        try:
            return _from_pyoxigraph(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        except SyntaxError as exc:
            raise EndpointError(f"unreadable results: {_first_line(str(exc))}", self.endpoint) from None

    def put_graph(self, graph_iri: str, ntriples: bytes, store_url: str | None = None) -> None:
        """Replace one named graph (SPARQL 1.1 Graph Store HTTP Protocol, PUT)."""
        url = (store_url or default_graph_store(self.endpoint)) + "?" + urllib.parse.urlencode({"graph": graph_iri})
        self._post(url, ntriples, "application/n-triples", "*/*", method="PUT")


def default_graph_store(endpoint: str) -> str:
    """The Graph Store Protocol URL next to a query endpoint (Oxigraph: /store)."""
    if endpoint.rstrip("/").endswith("/query"):
        return endpoint.rstrip("/")[: -len("/query")] + "/store"
    if endpoint.rstrip("/").endswith("/sparql"):
        return endpoint.rstrip("/")[: -len("/sparql")] + "/store"
    return endpoint.rstrip("/") + "/store"


_TOKEN = re.compile(
    r'(?P<comment>#[^\n]*)|(?P<string>"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)|(?P<brace>[{}])|(?P<word>[A-Za-z_]+)|(?P<other>.)",
    re.S,
)


def query_form(text: str) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE), read past the prologue."""
    for m in _TOKEN.finditer(text):
        word = m.group("word")
        if word and word.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return {"SELECT": "select", "ASK": "ask"}.get(word.upper(), "graph")
    return "select"


def inject_values(text: str, bindings: dict) -> str:
    """Add ``VALUES (?a ?b) { (t1 t2) }`` at the top of the outermost WHERE group.

    Terms are serialized by pyoxigraph (escaped N-Triples syntax), so a value can never
    close the block or add a clause.
    """
    depth, seen_where, form = 0, False, None
    for m in _TOKEN.finditer(text):
        word = (m.group("word") or "").upper()
        if depth == 0 and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and form is None:
            form = word
        if depth == 0 and word == "WHERE":
            seen_where = True
        brace = m.group("brace")
        if brace == "{":
            if depth == 0 and (seen_where or form in ("SELECT", "ASK", "DESCRIBE")):
                names = " ".join(f"?{k}" for k in bindings)
                values = " ".join(str(v) for v in bindings.values())
                return text[: m.end()] + f" VALUES ({names}) {{ ({values}) }} " + text[m.end():]
            depth += 1
        elif brace == "}":
            depth -= 1
    raise QuerySyntaxError("no WHERE clause to bind parameters in", "query")


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "syntax error"


def backend_for(endpoint: str | None = None, project=None, log=None, reasoner: str = "owlrl"):
    """The remote backend when an endpoint is given (or ``$QKG_ENDPOINT``), else the
    embedded store of ``project``, built if needed."""
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV)
    if endpoint:
        return RemoteBackend(endpoint)
    from qkg.build import ensure_built
    from qkg.paths import Project

    project = project or Project.find()
    return EmbeddedBackend(ensure_built(project, reasoner=reasoner, log=log))
