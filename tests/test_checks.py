"""qkg.checks: every *-violation.rq returns exactly its bad rows on its fixture and none
on the project's data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qkg.checks import execute, load, metadata

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "checks"
CHECKS = {c.name: c for c in load(ROOT / "queries" / "checks")}
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
NAMES = sorted(CHECKS)


def _store(name: str):
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(FIXTURES / f"{name}.trig"), format=ox.RdfFormat.TRIG)
    return store


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_check_returns_the_bad_rows_of_its_fixture(name):
    rows = execute(_store(name), CHECKS[name])
    assert sorted(row["focus"].value for row in rows) == EXPECTED[name]


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_check_passes_on_the_project(name, backend):
    assert execute(backend.store, CHECKS[name]) == []


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_check_has_summary_and_severity(name):
    meta = CHECKS[name].meta
    assert meta["summary"] and meta["severity"] in ("violation", "warning", "info")


def test_every_check_has_an_expectation_and_no_expectation_is_stale():
    assert sorted(EXPECTED) == NAMES


METADATA = {
    "grlc-style": ("#+ summary: one line\n#+ severity: warning\nSELECT * {}", {"summary": "one line", "severity": "warning"}),
    "stops-at-query": ("#+ summary: a\nSELECT * {}\n#+ severity: info\n", {"summary": "a"}),
    "yaml-list-lines-skipped": ("#+ tags:\n#+   - x\n#+ summary: s\nSELECT * {}", {"tags": "", "summary": "s"}),
    "none": ("SELECT * {}", {}),
}


@pytest.mark.parametrize("case", sorted(METADATA), ids=sorted(METADATA))
def test_metadata(case):
    text, expected = METADATA[case]
    assert metadata(text) == expected


def test_a_check_that_does_not_run_is_a_finding(project_copy):
    from qkg.validate import validate_project

    (project_copy.checks_dir / "broken-violation.rq").write_text("#+ summary: broken\nSELECT ?focus WHERE {", encoding="utf-8")
    target = project_copy.data_dir / "quantum-technology-innovation-hubs.ttl"
    report = validate_project(project_copy, files=[target], stages=("syntax", "checks"))
    assert [(f.code, f.file) for f in report.findings] == [("QKG-CHECK-ERROR", "queries/checks/broken-violation.rq")]
