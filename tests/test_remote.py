"""A real Oxigraph server: ``qkg push`` loads the graphs, then every stored query returns
the same rows through the SPARQL protocol as from the embedded store."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from test_params import ECHO, HOSTILE
from test_queries import _cases, comparable, snapshot

pytestmark = pytest.mark.server

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An Oxigraph server on a free port over an empty directory, stopped at teardown."""
    if not OXIGRAPH.exists():
        pytest.skip(f"no Oxigraph server binary at {OXIGRAPH} (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph exited with {proc.returncode}: {proc.stderr.read().decode()[:500]}")
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).close()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"oxigraph did not answer on {url} within {START_TIMEOUT} s")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def pushed(server, backend):
    """The embedded store's named graphs, pushed with ``qkg push`` (the console script)."""
    proc = subprocess.run([str(Path(sys.executable).with_name("qkg")), "-q", "push", "--endpoint", f"{server}/query"],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode()


@pytest.fixture(scope="module")
def remote(server, pushed):
    from qkg.store import RemoteBackend

    return RemoteBackend(f"{server}/query")


@pytest.fixture(scope="module")
def remote_default(server, pushed):
    """The same server, its default graph read (``QKG_ENDPOINT_DATASET=default``)."""
    from qkg.store import RemoteBackend

    return RemoteBackend(f"{server}/query", union=False)


COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def test_push_reports_what_it_loaded(backend, pushed):
    total = int(backend.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0].value)
    merge = len(list(backend.store.quads_for_pattern(None, None, None, __import__("pyoxigraph").DefaultGraph())))
    assert backend.merged and merge > 0
    assert pushed == (f"pushed {total} triples in {len(backend.named_graphs())} named graphs and their merge of "
                      f"{merge} triples into the default graph to {pushed.split(' to ')[-1]}")


def test_push_copies_the_merged_default_graph(backend, remote_default):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote_default.query(count).rows == backend.query(count).rows


def test_push_copies_every_named_graph(backend, remote):
    def counts(b):
        return sorted((row[0].value, int(row[1].value)) for row in b.query(COUNTS).rows)

    assert counts(remote) == counts(backend)


@pytest.mark.parametrize("dataset", ["union", "default"])
@pytest.mark.parametrize("name,case,params", _cases())
def test_stored_query_same_rows(project, backend, remote, remote_default, name, case, params, dataset):
    """Every stored query, reading the union of the pushed named graphs or the pushed
    merge in the default graph (QKG_ENDPOINT_DATASET=default)."""
    from qkg.queries import Catalog

    catalog = Catalog.load(project)
    query = catalog.get(name)

    def rows(b):
        return comparable(snapshot(catalog.run(b, query, params), name, params, query.ordered))

    assert rows(remote if dataset == "union" else remote_default) == rows(backend)


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_text_is_bound_verbatim_remotely(remote, tmp_path, text):
    from qkg.queries import parse_query_file

    path = tmp_path / "echo-text.rq"
    path.write_text(ECHO, encoding="utf-8")
    echo = parse_query_file(path)
    result = remote.query(echo.text, echo.bind({"text": text}))
    assert [(row[0].value, int(row[1].value)) for row in result.rows] == [(text, 1)]


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "md"])
def test_cli_output_is_identical(server, remote, fmt):
    qkg = str(Path(sys.executable).with_name("qkg"))
    args = ["query", "describe-actor", "-p", "actor=qorg:cabinet-office", "-f", fmt]
    local = subprocess.run([qkg, *args], capture_output=True, timeout=120, env={**_env(), "COLUMNS": "160"})
    there = subprocess.run([qkg, *args, "--endpoint", f"{server}/query"], capture_output=True, timeout=120,
                           env={**_env(), "COLUMNS": "160"})
    assert (there.returncode, there.stdout.decode()) == (0, local.stdout.decode())


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k != "QKG_ENDPOINT"}
