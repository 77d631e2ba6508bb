"""``qkg queries``, ``qkg query``, ``qkg sparql``, ``qkg push``: the real console script,
its exit codes and its one-line messages; and what the query path imports."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("qkg")

CASES = [
    # id, argv, stdin, exit code, words on stdout, words on stderr
    ("queries", ["queries"], None, 0, ["list-events-timeline", "-p from=YYYY-MM-DD", "default qorg:q-star"], []),
    ("queries-json", ["queries", "-f", "json"], None, 0, ['"name": "trace-provenance"', '"type": "xsd_date"'], []),
    ("query-csv", ["query", "list-events-timeline", "-p", "from=2021-01-01", "-p", "to=2021-12-31", "-f", "csv"],
     None, 0, ["event,eventLabel,type,typeLabel,start,end,planned,venues,cities,sources\r\n",
               "Inauguration of the Quantum Technology Innovation Hubs"], []),
    ("query-table", ["query", "describe-actor", "-p", "actor=qperson:kohei-itoh"], None, 0,
     ["President of Keio University", "(5 rows"], []),
    ("query-graph", ["query", "construct-event-network", "-f", "nt"], None, 0,
     ['<https://w3id.org/qkg/id/event/2021-09-01-q-star-founding> <https://schema.org/name> "Founding of Q-STAR"@en .'],
     []),
    ("query-output-file", ["query", "list-posts", "-f", "md", "-o", "{tmp}/posts.md"], None, 0, [], []),
    ("unknown-query", ["query", "list-event-timeline"], None, 2, [],
     ["qkg: error: query: unknown query 'list-event-timeline'; did you mean list-events-timeline"]),
    ("bad-iri", ["query", "describe-actor", "-p", "actor=q-star"], None, 2, [],
     ["qkg: error: parameter 'actor': expected a full IRI or a prefixed name, got 'q-star'"]),
    ("bad-date", ["query", "list-events-timeline", "-p", "from=2021-02-30"], None, 2, [],
     ["qkg: error: parameter 'from': expected a date YYYY-MM-DD"]),
    ("unknown-parameter", ["query", "list-events-timeline", "-p", "since=2021-01-01"], None, 2, [],
     ["qkg: error: parameter 'since': query 'list-events-timeline' has no such parameter"]),
    ("no-equals", ["query", "list-events-timeline", "-p", "from"], None, 2, [],
     ["qkg: error: -p: expected NAME=VALUE, got 'from'"]),
    ("wrong-format", ["query", "describe-actor", "-f", "ttl"], None, 2, [], ["qkg: error: --format:"]),
    ("not-utf8", ["query", "find-entities", "-p", b"text=\xff"], None, 2, [],
     ["qkg: error: parameter 'text': the value is not valid UTF-8"]),
    ("sparql-ask", ["sparql", "-"], "ASK { <https://w3id.org/qkg/id/org/q-star> ?p ?o }", 0, ["true"], []),
    ("sparql-select-json", ["sparql", "-", "-f", "json"],
     "PREFIX qkg: <https://w3id.org/qkg/ontology#> SELECT (COUNT(*) AS ?n) { ?d a qkg:SourceDocument }", 0,
     ['"datatype": "http://www.w3.org/2001/XMLSchema#integer"'], []),
    ("sparql-construct-ttl", ["sparql", "-"],
     "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { <https://w3id.org/qkg/id/person/kohei-itoh> } ?s ?p ?o }", 0,
     ["@prefix qperson: <https://w3id.org/qkg/id/person/> .", "qperson:kohei-itoh"], []),
    ("sparql-syntax-error", ["sparql", "-"], "SELECT * WHERE {\n  ?s ?p\n}", 2, [], ["qkg: error: stdin:3:2: "]),
    ("sparql-missing-file", ["sparql", "{tmp}/missing.rq"], None, 2, [], ["missing.rq: cannot read the query"]),
    ("push-without-endpoint", ["push"], None, 2, [], ["qkg: error: --endpoint: give the endpoint to push to"]),
    ("push-unreachable", ["push", "--endpoint", "http://127.0.0.1:9/query"], None, 2, [],
     ["qkg: error: http://127.0.0.1:9/store?graph=", "cannot reach the endpoint"]),
]


def run_qkg(argv, stdin=None, tmp=None):
    env = {k: v for k, v in os.environ.items() if k != "QKG_ENDPOINT"}
    env["COLUMNS"] = "200"
    args = [a.replace("{tmp}", str(tmp)) if isinstance(a, str) else a for a in argv]
    return subprocess.run([str(SCRIPT), *args], input=(stdin or "").encode(), capture_output=True,
                          env=env, timeout=120)


@pytest.mark.parametrize("argv,stdin,code,out_words,err_words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_console_script(store_path, tmp_path, argv, stdin, code, out_words, err_words):
    proc = run_qkg(argv, stdin, tmp_path)
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert (proc.returncode, [w for w in out_words if w not in out], [w for w in err_words if w not in err],
            "Traceback" in err) == (code, [], [], False), err


def test_output_file_holds_the_table(store_path, tmp_path):
    proc = run_qkg(["query", "list-posts", "-f", "md", "-o", "{tmp}/posts.md"], tmp=tmp_path)
    text = (tmp_path / "posts.md").read_text(encoding="utf-8")
    assert (proc.stdout, text.splitlines()[0]) == (
        b"", "| person | personLabel | post | postLabel | organization | organizationLabel | asOf | source |")


PROBE = """
import json, sys
from qkg.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("rdflib", "pyshacl", "owlrl", "pandas") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["query", "list-events-timeline"], ["queries"],
                                  ["query", "describe-actor", "-f", "json"]], ids=["query", "queries", "query-json"])
def test_warm_query_path_imports_no_rdflib(store_path, argv):
    """With the store built, answering a query never imports rdflib, pyshacl or owlrl."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, timeout=120)
    report = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}
