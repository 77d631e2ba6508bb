"""Stored queries: each ``queries/*.rq`` (and each extra case of ``query_cases.json``)
against its reviewed expected results in ``tests/expected/``; plus the catalog metadata.

Expected rows hold IRIs as prefixed names, literals as text (typed ones other than
strings, integers and booleans as ``text^^xsd:type``); order matters only for queries
with ORDER BY, and never inside a `` | ``-separated list (GROUP_CONCAT's order is open). ``QKG_REGENERATE=1`` rewrites the files — read the sources before
committing them: every expected row must be a fact the documents state.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected"
CASES_FILE = ROOT / "tests" / "query_cases.json"
REGENERATE = os.environ.get("QKG_REGENERATE") == "1"


def _catalog():
    from qkg.paths import Project
    from qkg.queries import Catalog

    return Catalog.load(Project(ROOT))


def _cases() -> list:
    """(query name, case name or '', parameters): the defaults of every query, then the table."""
    cases = [pytest.param(q.name, "", {}, id=q.name) for q in _catalog()]
    for case in json.loads(CASES_FILE.read_text(encoding="utf-8")):
        cases.append(pytest.param(case["query"], case["case"], case["params"], id=f"{case['query']}--{case['case']}"))
    return cases


def expected_path(name: str, case: str) -> Path:
    return EXPECTED / (f"{name}--{case}.json" if case else f"{name}.json")


def value(term):
    """A term as it is written in an expected file."""
    import pyoxigraph as ox

    from qkg.namespaces import XSD, shorten

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:"
    datatype = term.datatype.value
    if term.language or datatype == XSD + "string":
        return term.value
    if datatype == XSD + "integer":
        return int(term.value)
    if datatype == XSD + "boolean":
        return term.value in ("true", "1")
    return f"{term.value}^^{shorten(datatype)}"


def snapshot(result, name: str, params: dict, ordered: bool) -> dict:
    """The expected-file form of a result."""
    out = {"query": name, "params": params, "ordered": ordered}
    if result.kind == "graph":
        out["triples"] = sorted([value(t.subject), value(t.predicate), value(t.object)] for t in result.triples)
    elif result.kind == "ask":
        out["boolean"] = bool(result.boolean)
    else:
        out["variables"] = list(result.variables)
        out["rows"] = [{v: value(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return out


#: The separator of the stored queries' GROUP_CONCAT lists, whose order SPARQL leaves open.
LIST_SEPARATOR = " | "


def _unordered_lists(row: dict) -> dict:
    return {k: LIST_SEPARATOR.join(sorted(v.split(LIST_SEPARATOR))) if isinstance(v, str) and LIST_SEPARATOR in v
            else v for k, v in row.items()}


def comparable(snap: dict) -> dict:
    """Rows as a multiset unless the query orders them; lists in a cell as sets."""
    snap = dict(snap)
    if "rows" in snap:
        rows = [_unordered_lists(r) for r in snap["rows"]]
        snap["rows"] = rows if snap["ordered"] else sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)
    return snap


@pytest.fixture(scope="module")
def catalog():
    return _catalog()


@pytest.mark.parametrize("name,case,params", _cases())
def test_stored_query(backend, catalog, name, case, params):
    query = catalog.get(name)
    actual = snapshot(catalog.run(backend, query, params), name, params, query.ordered)
    path = expected_path(name, case)
    if REGENERATE:
        EXPECTED.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    assert path.is_file(), (f"no expected results {path.relative_to(ROOT)}: run with QKG_REGENERATE=1, "
                            "then check every row against the source documents")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert comparable(actual) == comparable(expected)


def test_no_orphan_expected_files():
    """Every expected file belongs to a query or a case of the table."""
    known = {expected_path(p.values[0], p.values[1]).name for p in _cases()}
    orphans = sorted(p.name for p in EXPECTED.glob("*.json") if p.name not in known)
    assert orphans == []


QUERY_NAMES = [q.name for q in _catalog()]
PARAMETERS = [pytest.param(q.name, p.name, id=f"{q.name}:{p.name}") for q in _catalog() for p in q.parameters]


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_metadata_complete(catalog, name):
    """Each query has a summary, a description and tags, and documents each parameter."""
    query = catalog.get(name)
    missing = [k for k in ("summary", "description", "tags") if not getattr(query, k)]
    missing += [f"params: {p.name}" for p in query.parameters if not p.description]
    assert missing == []


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_name_is_verb_first_kebab_case(name):
    import re

    assert re.match(r"^(list|describe|count|trace|find|construct)-[a-z0-9]+(-[a-z0-9]+)*$", name)


@pytest.mark.parametrize("name,param", PARAMETERS)
def test_default_and_enumeration_exist_in_the_graph(backend, catalog, name, param):
    """A default or enumerated IRI names something the graph holds (a typo would
    silently return nothing)."""
    p = catalog.get(name).parameter(param)
    values = ([p.default] if p.default else []) + (p.enumerate or [])
    if p.type != "iri":
        for v in values:
            p.parse(v)
        return
    from qkg.queries import expand_iri

    absent = [v for v in values
              if not backend.query(f"ASK {{ {{ <{expand_iri(v)}> ?p ?o }} UNION {{ ?s ?p <{expand_iri(v)}> }} }}").boolean]
    assert absent == []


def _showcase():
    from qkg.queries import SHOWCASE

    return [pytest.param(name, params, id=name) for name, params, _ in SHOWCASE]


@pytest.mark.parametrize("name,params", _showcase())
def test_showcase_returns_rows(backend, catalog, name, params):
    """The main job's showcase names a stored query with valid parameters that returns rows."""
    assert len(catalog.run(backend, name, params).rows) > 0


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_documented(name):
    """docs/queries.md has a section for every stored query."""
    assert f"\n### {name}\n" in (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_standard_sparql_a_second_engine_parses(catalog, name):
    """The query as an endpoint receives it (defaults bound) parses in rdflib too: no
    Oxigraph-only syntax."""
    from rdflib.plugins.sparql import prepareQuery

    from qkg.sparql_text import bind

    query = catalog.get(name)
    bindings = query.bind({})
    prepareQuery(bind(query.text, bindings))
