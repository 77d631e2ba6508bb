"""qkg.tables: one CSV per main class, RFC 4180, UTF-8, one row per instance, stable order."""
from __future__ import annotations

import csv
import io

import pytest

from qkg.tables import TABLES

#: table → the class its rows are instances of (directly or by inference)
TABLE_CLASSES = {t.name: t.cls for t in TABLES}


@pytest.fixture(scope="session")
def written(backend, tmp_path_factory):
    from qkg.tables import write_tables

    out = tmp_path_factory.mktemp("tables")
    return {p.stem: p for p in write_tables(backend, out)}


def read(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def test_every_main_class_has_a_table(written):
    assert sorted(written) == ["actors", "documents", "events", "observations", "participations", "posts"]


@pytest.mark.parametrize("name", sorted(TABLE_CLASSES))
def test_one_row_per_instance(name, written, backend):
    from qkg.namespaces import sparql_prologue

    rows = read(written[name])[1:]
    query = sparql_prologue() + f"SELECT DISTINCT ?x WHERE {{ ?x a {TABLE_CLASSES[name]} FILTER isIRI(?x) }}"
    assert sorted(r[1] for r in rows) == sorted(r[0].value for r in backend.query(query).rows)


@pytest.mark.parametrize("name", sorted(TABLE_CLASSES))
def test_rfc4180_crlf_and_a_fixed_header(name, written):
    data = written[name].read_bytes()
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines[:-1] if line.count(b'"') == 0)
    header = read(written[name])[0]
    assert header[:3] == ["id", "iri", "label"] and header[-1] == "sources"


@pytest.mark.parametrize("name", sorted(TABLE_CLASSES))
def test_every_row_has_the_header_width(name, written):
    rows = read(written[name])
    assert {len(r) for r in rows} == {len(rows[0])}


@pytest.mark.parametrize("name", sorted(TABLE_CLASSES))
def test_a_second_run_writes_the_same_bytes(name, written, backend, tmp_path):
    from qkg.tables import write_tables

    again = {p.stem: p for p in write_tables(backend, tmp_path)}
    assert again[name].read_bytes() == written[name].read_bytes()


def test_events_are_ordered_by_their_start_day(written):
    rows = read(written["events"])
    col = rows[0].index("earliest_start")
    days = [r[col] for r in rows[1:]]
    dated = [d for d in days if d]
    assert dated == sorted(dated) and days[: len(dated)] == dated


def _row(written, table, iri):
    rows = read(written[table])
    return dict(zip(rows[0], next(r for r in rows[1:] if r[1] == iri)))


def test_actor_row_carries_labels_in_other_languages(written):
    row = _row(written, "actors", "https://w3id.org/qkg/id/country/japan")
    assert (row["label"], row["label_ja"], row["country_code"]) == ("Japan", "日本", "JP")


def test_participation_row_names_event_agent_and_role(written):
    row = _row(written, "participations",
               "https://w3id.org/qkg/id/participation/2023-05-14-quantum-innovation-high-level-meeting--q-star--host")
    assert (row["event_label"], row["agent_label"], row["role_label"], row["sources"]) == (
        "Quantum Innovation for a Better Future", "Quantum Strategic Industry Alliance for Revolution", "host",
        "2023-05-14-tohoku-qstar-high-level-meeting")


def test_dates_keep_the_precision_the_source_gives(written):
    rows = read(written["events"])
    starts = {r[rows[0].index("start_date")] for r in rows[1:]}
    assert "2023-05-14T11:40:00+09:00" in starts


def test_several_values_are_sorted_and_joined(written):
    from qkg.tables import JOIN

    row = _row(written, "actors", "https://w3id.org/qkg/id/country/canada")
    assert row["sources"].split(JOIN) == sorted(row["sources"].split(JOIN)) and JOIN in row["sources"]
