"""``qkg serve`` for real: the console script on a free 127.0.0.1 port, called by
SPARQLWrapper, rdflib's SPARQLStore and raw sockets.

Every stored query (and case) answers through both clients with the rows of the
embedded store. Hostile requests each get their status, and the server keeps serving:
after each one a plain query must still succeed. Servers are started once per module
(bounded waits) and stopped at teardown.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from qkg.namespaces import GRAPH
from test_queries import _cases, comparable, snapshot

pytestmark = pytest.mark.server

QKG = str(Path(sys.executable).with_name("qkg"))
START_TIMEOUT = 60
ASK = "/sparql?query=ASK%7B%7D"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
        timeout: float = 30) -> tuple[int | str, bytes]:
    """One request on a fresh connection, the request line sent byte for byte as given
    (no client normalizes the path): ``(status, body)``, or ``("closed", b"")`` when the
    server drops the connection. A body waits until the server has had a moment to
    refuse the headers, as a client sending ``Expect: 100-continue`` would."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    if body is not None:
        head += f"Content-Length: {len(body)}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(head.encode("latin-1") + b"\r\n")
            if body and not select.select([sock], [], [], 0.3)[0]:
                sock.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed; its answer may still be readable
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
            return response.status, response.read()
        except (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionError):
            return "closed", b""


def alive(port: int) -> bool:
    """The server answers a plain query (several tries: a worker may be restarting)."""
    for _ in range(3):
        status, body = raw(port, "GET", ASK, timeout=10)
        if status == 200:
            return json.loads(body) == {"head": {}, "boolean": True}
        time.sleep(0.5)
    return False


class Server:
    """A ``qkg serve`` process; ``workers()`` lists its uvicorn worker processes."""

    def __init__(self, tmp: Path, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"serve-{self.port}.log"
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen([QKG, "serve", "--port", str(self.port), *args],
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if not self._running():
                pytest.fail(f"qkg serve exited with {self.proc.returncode}: {self.tail()}")
            try:
                if raw(self.port, "GET", ASK, timeout=2)[0] == 200:
                    return
            except OSError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"qkg serve did not answer on {self.url} within {START_TIMEOUT} s: {self.tail()}")
            time.sleep(0.2)

    def _running(self) -> bool:
        return self.proc.poll() is None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        pids = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(store_path, tmp_path_factory):
    """The main server: default limits."""
    srv = Server(tmp_path_factory.mktemp("serve"), "--timeout", "20")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def strict(store_path, tmp_path_factory):
    """A server with a tiny timeout, for hostile requests."""
    srv = Server(tmp_path_factory.mktemp("serve"), "--timeout", "0.3", "--kill-after", "4", "--processes", "2")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def catalog(project):
    from qkg.queries import Catalog

    return Catalog.load(project)


def bound(catalog, name: str, params: dict) -> str:
    from qkg.sparql_text import bind

    query = catalog.get(name)
    bindings = query.bind(params)
    return bind(query.text, bindings)


def reference(backend, catalog, name: str, params: dict) -> dict:
    query = catalog.get(name)
    return comparable(snapshot(catalog.run(backend, query, params), name, params, query.ordered))


# -- real clients ----------------------------------------------------------------------------

@pytest.mark.parametrize("name,case,params", _cases())
def test_sparqlwrapper_gets_the_embedded_rows(server, backend, catalog, name, case, params):
    """SPARQLWrapper (GET, JSON for solutions, Turtle for graphs) against the live server."""
    import pyoxigraph as ox
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    from qkg.store import Result

    query = catalog.get(name)
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(bound(catalog, name, params))
    # SPARQLWrapper guesses the form with a regex that can read words of the #+ comments
    # ("addresses" as ADD) and would send the query as an update; tell it the form
    client.queryType = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT"}[query.form]
    client.setReturnFormat(TURTLE if query.form == "graph" else JSON)
    response = client.query().response
    body = response.read()
    if query.form == "graph":
        result = Result("graph", triples=[q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)])
    else:
        answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ask", boolean=bool(answer))
        else:
            variables = [v.value for v in answer.variables]
            result = Result("select", variables, [tuple(row) for row in answer])
    assert comparable(snapshot(result, name, params, query.ordered)) == reference(backend, catalog, name, params)


@pytest.mark.parametrize("name,case,params", _cases())
def test_rdflib_sparqlstore_gets_the_embedded_rows(server, backend, catalog, name, case, params):
    """rdflib's SPARQLStore (POST form, XML results, RDF/XML graphs) against the live server."""
    import pyoxigraph as ox
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    from qkg.build import to_oxigraph
    from qkg.store import Result

    query = catalog.get(name)
    store = SPARQLStore(query_endpoint=server.url + "/sparql", method="POST_FORM", returnFormat="xml")
    try:
        answer = store.query(bound(catalog, name, params))
    finally:
        store.close()
    if query.form == "graph":
        result = Result("graph", triples=[ox.Triple(*map(to_oxigraph, t)) for t in answer.graph])
    elif query.form == "ask":
        result = Result("ask", boolean=bool(answer.askAnswer))
    else:
        result = Result("select", [str(v) for v in answer.vars],
                        [tuple(None if t is None else to_oxigraph(t) for t in row) for row in answer])
    assert comparable(snapshot(result, name, params, query.ordered)) == reference(backend, catalog, name, params)


@pytest.mark.parametrize("default,named,query", [
    ([GRAPH + "ontology"], [], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    ([GRAPH + "ontology", GRAPH + "reference"], [], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    ([], [GRAPH + "reference", GRAPH + "sources"], "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
], ids=["one-default", "two-defaults", "two-named"])
def test_sparqlwrapper_dataset(server, backend, default, named, query):
    import pyoxigraph as ox
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server.url + "/sparql")
    for g in default:
        client.addDefaultGraph(g)
    for g in named:
        client.addNamedGraph(g)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    got = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    want = next(iter(backend.store.query(query, default_graph=[ox.NamedNode(g) for g in default],
                                         named_graphs=[ox.NamedNode(g) for g in named])))[0]
    assert got == int(want.value)


def test_slow_query_does_not_block_others(server):
    """While one expensive query runs, plain queries keep answering fast."""
    slow = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"})
    started = time.monotonic()
    done = {}
    thread = threading.Thread(target=lambda: done.setdefault("slow", raw(server.port, "GET", "/sparql?" + slow)))
    thread.start()
    time.sleep(0.2)
    latencies = []
    for _ in range(20):
        t = time.monotonic()
        assert raw(server.port, "GET", ASK)[0] == 200
        latencies.append(time.monotonic() - t)
    thread.join(timeout=60)
    assert done["slow"][0] == 200 and time.monotonic() - started > 0.5
    assert max(latencies) < 0.5, latencies


# -- hostile requests ------------------------------------------------------------------------

def _sort_crash_query() -> str:
    """ORDER BY over xsd:dateTime values with and without a timezone (XSD leaves such
    pairs unordered): pyoxigraph 0.5's sort panics and aborts the whole process."""
    r = random.Random(1)
    values = []
    for _ in range(400):
        tz = r.choice(["", f"+0{r.randint(0, 9)}:00"])
        values.append(f'"2021-01-{r.randint(10, 28)}T{r.randint(10, 23)}:00:00{tz}"'
                      "^^<http://www.w3.org/2001/XMLSchema#dateTime>")
    return "SELECT ?x WHERE { VALUES ?x { " + " ".join(values) + " } } ORDER BY ?x"


DIRECT = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TEN_MB = 10 * 1024 * 1024
HOSTILE = [
    ("10MB-query-direct", "POST", "/sparql", DIRECT, b"ASK {}" + b" " * TEN_MB, {413}),
    ("10MB-query-form", "POST", "/sparql", FORM, b"query=ASK%7B%7D" + b"+" * TEN_MB, {413}),
    # uvicorn (h11) refuses a request line or headers past 16 KiB itself
    ("10MB-query-string", "GET", "/sparql?query=" + "+" * TEN_MB, {}, None, {400}),
    ("10000-nested-groups", "POST", "/sparql", DIRECT,
     ("SELECT * WHERE " + "{" * 10000 + "?s ?p ?o" + "}" * 10000).encode(), {400}),
    ("10000-nested-parentheses", "POST", "/sparql", DIRECT,
     ("ASK { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }").encode(), {400}),
    # flat but 20,000 levels deep once parsed: overflows an 8 MiB thread stack
    ("operator-chain-20000", "POST", "/sparql", DIRECT,
     ("ASK { FILTER(" + "+".join(["1"] * 20000) + " > 0) }").encode(), {200, 503}),
    ("invalid-utf8-body", "POST", "/sparql", DIRECT, b'ASK { ?s ?p "\xc3\x28" }', {400}),
    ("invalid-utf8-form", "POST", "/sparql", FORM, b"query=ASK%20%7B%22%FF%22%7D", {400}),
    ("invalid-utf8-query-string", "GET", "/sparql?query=ASK%20%7B%22%FF%FE%22%7D", {}, None, {400}),
    ("raw-invalid-utf8-query-string", "GET", b"/sparql?query=ASK\xff".decode("latin-1"), {}, None, {400}),  # h11
    ("past-the-timeout", "POST", "/sparql", DIRECT,
     b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }", {503}),
    ("update-body", "POST", "/sparql", {"Content-Type": "application/sparql-update"},
     b"DROP ALL", {403}),
    ("update-in-query", "POST", "/sparql", FORM, b"query=DROP+ALL", {403}),
    ("service", "POST", "/sparql", DIRECT, b"SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", {400}),
    ("traversal-id", "GET", "/id/../../etc/passwd", {}, None, {404}),
    ("traversal-id-encoded", "GET", "/id/%2e%2e/%2e%2e/%2e%2e/etc/passwd", {}, None, {404}),
    ("traversal-id-encoded-slash", "GET", "/id/..%2f..%2f..%2fetc%2fpasswd", {}, None, {404}),
    ("traversal-static", "GET", "/static/../../../../etc/passwd", {}, None, {404}),
    ("traversal-static-encoded", "GET", "/static/%2e%2e/%2e%2e/server.py", {}, None, {404}),
    ("traversal-dump", "GET", "/dump/..%2f..%2fpyproject.toml", {}, None, {404}),
    ("traversal-ontology", "GET", "/ontology/class/..%2f..%2fetc%2fpasswd.html", {}, None, {404}),
    ("nul-in-path", "GET", "/id/org/q-star%00", {}, None, {404}),
    ("huge-header", "GET", ASK, {"X-Big": "a" * 200_000}, None, {"closed"}),
    # the worker process dies with the connection; another serves the next request
    ("sort-panic-kills-a-worker", "POST", "/sparql", DIRECT, _sort_crash_query().encode(), {"closed"}),
]


@pytest.mark.parametrize("name,method,path,headers,body,statuses", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_request(strict, name, method, path, headers, body, statuses):
    status, answer = raw(strict.port, method, path, headers, body)
    assert status in statuses, answer[:300]
    assert b"root:" not in answer and b"[build-system]" not in answer
    assert alive(strict.port), strict.tail()


def test_garbage_on_the_socket(strict):
    with socket.create_connection(("127.0.0.1", strict.port), timeout=10) as s:
        s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64) + b"\r\n\r\n")
        try:
            reply = s.recv(100)
        except ConnectionError:
            reply = b""
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400")
    assert alive(strict.port)


def test_truncated_body(strict):
    """A client announcing 1000 bytes and sending 10 cannot hold the server."""
    with socket.create_connection(("127.0.0.1", strict.port), timeout=10) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 1000\r\n\r\nASK { ?s ")
    assert alive(strict.port)


def wait_for_workers(server: Server, count: int, gone: int | None = None, seconds: float = 20) -> list[int]:
    deadline = time.monotonic() + seconds
    while True:
        pids = server.workers()
        if len(pids) == count and gone not in pids:
            return pids
        assert time.monotonic() < deadline, f"{len(pids)} workers after {seconds} s, not {count}: {server.tail()}"
        time.sleep(0.2)


def test_dead_worker_is_replaced(strict):
    """After a worker dies (here: killed), the other serves at once and the supervisor
    starts a replacement."""
    import signal

    before = wait_for_workers(strict, 2)
    os.kill(before[0], signal.SIGKILL)
    assert alive(strict.port)
    wait_for_workers(strict, 2, gone=before[0])
    assert alive(strict.port)


def test_query_past_kill_after_ends_its_worker(strict):
    """pyoxigraph cannot stop a query: past --kill-after its worker process is replaced."""
    before = wait_for_workers(strict, 2)
    endless = b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d FILTER(STR(?b) < STR(?d)) }"  # ~1 min alone
    status, _ = raw(strict.port, "POST", "/sparql", DIRECT, endless)
    assert status == 503
    deadline = time.monotonic() + 20
    while set(strict.workers()) & set(before) == set(before):
        assert time.monotonic() < deadline, f"no worker replaced within 20 s: {strict.tail()}"
        time.sleep(0.2)
    assert alive(strict.port)
    assert "past --kill-after" in strict.tail()


# -- the console script ----------------------------------------------------------------------

def test_busy_port_is_a_one_line_error(server):
    proc = subprocess.run([QKG, "serve", "--port", str(server.port)], capture_output=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert lines[-1].startswith(f"qkg: error: --port: cannot listen on 127.0.0.1:{server.port}: ")
    assert "Traceback" not in proc.stderr.decode()


@pytest.mark.parametrize("args,message", [
    (["--timeout", "-1"], "expected a number >= 0"),
    (["--port", "70000"], "expected a port from 0 to 65535"),
    (["--processes", "0"], "expected at least 1 process"),
], ids=["negative-timeout", "port-range", "no-processes"])
def test_bad_options_exit_2(args, message):
    proc = subprocess.run([QKG, "serve", *args], capture_output=True, timeout=60)
    assert proc.returncode == 2 and message in proc.stderr.decode()


def test_help_names_every_option():
    proc = subprocess.run([QKG, "serve", "--help"], capture_output=True, timeout=60)
    assert proc.returncode == 0
    for option in ("--host", "--port", "--timeout", "--kill-after", "--max-rows", "--max-request-bytes", "--cors",
                   "--endpoint-only", "--access-log", "--processes", "--workers", "--cache-mb"):
        assert option in proc.stdout.decode(), option
