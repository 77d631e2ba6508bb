"""qkg.lint: strict SPARQL 1.1, OPTIONAL placement and metadata of stored queries."""
from __future__ import annotations

from pathlib import Path

import pytest

from qkg.lint import lint_file, optional_bodies, optional_order, run

ROOT = Path(__file__).resolve().parents[1]
P = "PREFIX ex: <http://example.org/>\n"

#: case → (query, expected (line, variables) of misplaced OPTIONALs)
ORDER = {
    "optional-last": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:label ?l }\n}", []),
    "optional-first": (P + "SELECT * WHERE {\n OPTIONAL { ?e ex:label ?l }\n ?e a ex:E .\n}", [(3, ["e"])]),
    "optional-between": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:p ?x }\n ?x ex:q ?y .\n}",
                         [(4, ["x"])]),
    "optional-own-variables-only": (P + "SELECT * WHERE {\n OPTIONAL { ?a ex:p ?b }\n ?c ex:q ?d .\n}", []),
    "nested-group-checked": (P + "SELECT * WHERE {\n ?s ?p ?o .\n { OPTIONAL { ?x ex:l ?l }\n ?x a ex:E }\n}",
                             [(4, ["x"])]),
    "bound-by-graph-after": (P + "SELECT * WHERE {\n OPTIONAL { ?e ex:l ?l }\n GRAPH ?g { ?e a ex:E }\n}", [(3, ["e"])]),
    "bound-by-bind-before": (P + "SELECT * WHERE {\n BIND(ex:a AS ?e)\n OPTIONAL { ?e ex:l ?l }\n ?e a ex:E .\n}", []),
    "filter-exists-is-no-binding": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:l ?l }\n"
                                    " FILTER NOT EXISTS { ?l ex:q ?z }\n}", []),
    "strings-and-comments-ignored": (P + 'SELECT * WHERE {\n # OPTIONAL { ?x }\n ?e ex:n "OPTIONAL { ?e }" .\n}', []),
}


@pytest.mark.parametrize("case", sorted(ORDER), ids=sorted(ORDER))
def test_optional_order(case):
    text, expected = ORDER[case]
    assert optional_order(text) == expected


#: case → (query, expected (line, what) of OPTIONALs Oxigraph evaluates over the whole dataset)
BODIES = {
    "one-pattern": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:label ?l }\n}", []),
    "one-subject": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:p ?a ; ex:q ?b }\n}", []),
    "nested-chain": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:p ?a OPTIONAL { ?a ex:q ?b } }\n}", []),
    "chain": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:p ?a . ?a ex:q ?b }\n}",
              [(4, "2 triple patterns on different subjects")]),
    "filtered-chain": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL {\n ?e ex:p ?a .\n ?a ex:q ?b FILTER(?b > 1)\n }\n}",
                       [(4, "2 triple patterns on different subjects")]),
    "sub-select": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { SELECT ?e (COUNT(*) AS ?n) WHERE { ?e ex:p ?x } GROUP BY ?e }\n}",
                   [(4, "a sub-select")]),
    "exists-is-no-body": (P + "SELECT * WHERE {\n ?e a ex:E .\n OPTIONAL { ?e ex:p ?a FILTER EXISTS { ?a ex:q ?b . ?b ex:r ?c } }\n}", []),
}


@pytest.mark.parametrize("case", sorted(BODIES), ids=sorted(BODIES))
def test_optional_bodies(case):
    text, expected = BODIES[case]
    assert optional_bodies(text) == expected


#: case → (file text, expected (code, severity, line))
FILES = {
    "clean": ("#+ summary: s\n" + P + "SELECT ?e WHERE { ?e a ex:E }\n", []),
    "no-summary": (P + "SELECT ?e WHERE { ?e a ex:E }\n", [("QKG-QUERY-METADATA", "warning", 1)]),
    "syntax-error": ("#+ summary: s\n" + P + "SELECT ?e WHERE { ?e a ex:E \n", [("QKG-QUERY-SYNTAX", "violation", 4)]),
    "undeclared-prefix": ("#+ summary: s\nSELECT ?e WHERE { ?e a zz:E }\n", [("QKG-QUERY-SYNTAX", "violation", None)]),
    "engine-extension": ("#+ summary: s\n" + P + "SELECT ?e WHERE { ?e a ex:E } LATERAL\n",
                         [("QKG-QUERY-SYNTAX", "violation", 3)]),
    "misplaced-optional": ("#+ summary: s\n" + P + "SELECT * WHERE {\n OPTIONAL { ?e ex:l ?l }\n ?e a ex:E\n}\n",
                           [("QKG-OPTIONAL-ORDER", "warning", 4)]),
    "optional-chain": ("#+ summary: s\n" + P + "SELECT * WHERE {\n ?e a ex:E\n OPTIONAL { ?e ex:p ?a . ?a ex:l ?l }\n}\n",
                       [("QKG-OPTIONAL-BODY", "warning", 5)]),
    "allowed-with-reason": ("#+ summary: s\n" + P + "SELECT * WHERE {\n ?e a ex:E\n"
                            " # qkg-lint: allow QKG-OPTIONAL-BODY -- every ?e is a row: read once, joined by hash\n"
                            " OPTIONAL { SELECT ?e ?l WHERE { ?e ex:l ?l } }\n"
                            " OPTIONAL { SELECT ?e ?m WHERE { ?e ex:m ?m } }\n}\n", []),
    "allowed-by-a-trailing-comment": ("#+ summary: s\n" + P + "SELECT * WHERE {\n ?e a ex:E\n"
                                " OPTIONAL { ?e ex:p ?a . ?a ex:l ?l }  # qkg-lint: allow QKG-OPTIONAL-BODY -- few rows\n}\n",
                                []),
    "allowance-without-reason": ("#+ summary: s\n" + P + "SELECT * WHERE {\n ?e a ex:E\n"
                                 " # qkg-lint: allow QKG-OPTIONAL-BODY\n"
                                 " OPTIONAL { SELECT ?e ?l WHERE { ?e ex:l ?l } }\n}\n",
                                 [("QKG-OPTIONAL-BODY", "warning", 6), ("QKG-LINT-ALLOW", "warning", 5)]),
    "allowance-ends-with-its-group": ("#+ summary: s\n" + P + "SELECT * WHERE {\n"
                                      " { ?e a ex:E # qkg-lint: allow QKG-OPTIONAL-BODY -- only here\n"
                                      "   OPTIONAL { SELECT ?e ?l WHERE { ?e ex:l ?l } } }\n"
                                      " OPTIONAL { SELECT ?e ?m WHERE { ?e ex:m ?m } }\n}\n",
                                      [("QKG-OPTIONAL-BODY", "warning", 6)]),
    "allowance-unused": ("#+ summary: s\n" + P + "SELECT * WHERE {\n ?e a ex:E\n"
                         " # qkg-lint: allow QKG-OPTIONAL-ORDER -- kept from an older shape\n"
                         " OPTIONAL { ?e ex:l ?l }\n}\n", [("QKG-LINT-ALLOW", "warning", 5)]),
    "syntax-cannot-be-allowed": ("#+ summary: s\n" + P + "# qkg-lint: allow QKG-QUERY-SYNTAX -- engine extension\n"
                                 "SELECT ?e WHERE { ?e a ex:E } LATERAL\n",
                                 [("QKG-QUERY-SYNTAX", "violation", 4), ("QKG-LINT-ALLOW", "warning", 3)]),
}


@pytest.mark.parametrize("case", sorted(FILES), ids=sorted(FILES))
def test_lint_file(tmp_path, case):
    text, expected = FILES[case]
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    assert [(f.code, f.severity, f.line) for f in lint_file(path, "q.rq")] == expected


def test_optional_message_says_what_to_move(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(FILES["misplaced-optional"][0], encoding="utf-8")
    (finding,) = lint_file(path, "q.rq")
    assert finding.message == ("OPTIONAL before the patterns that bind ?e: move the OPTIONAL after the patterns "
                               "that bind ?e (Oxigraph does not reorder joins around OPTIONAL)")


def test_allowance_without_reason_says_how(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(FILES["allowance-without-reason"][0], encoding="utf-8")
    assert lint_file(path, "q.rq")[-1].message == (
        "an allowance without a reason: say why after '--' ('# qkg-lint: allow QKG-OPTIONAL-BODY -- why')")


def test_check_with_unknown_severity(tmp_path):
    path = tmp_path / "x-violation.rq"
    path.write_text("#+ summary: s\n#+ severity: fatal\n" + P + "SELECT ?focus WHERE { ?focus a ex:E }\n")
    assert [(f.code, f.message) for f in lint_file(path, "x-violation.rq", is_check=True)] == [
        ("QKG-QUERY-METADATA", "'#+ severity: fatal' is not one of violation, warning, info")]


def test_project_queries_are_clean(project, tmp_path, monkeypatch):
    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path))
    assert run(project) == []
    assert (tmp_path / "lint-cache.json").is_file()
