"""qkg.paths: finding the project and its files."""
from __future__ import annotations

import pytest

from qkg.errors import InputError
from qkg.namespaces import GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, SOURCES_GRAPH
from qkg.paths import Project


def test_sources_pair_text_metadata_and_data(project):
    ids = [s.source_id for s in project.sources()]
    assert ids == [
        "2023-05-14-tohoku-qstar-high-level-meeting",
        "2025-09-22-cabinet-office-7th-mdq",
        "quantum-technology-innovation-hubs",
    ]
    for src in project.sources():
        assert src.text.is_file() and src.meta.is_file() and src.data.is_file()
        assert src.graph == GRAPH + src.source_id


def test_graph_files_in_build_order(project):
    graphs = [g for g, _ in project.graph_files()]
    assert graphs[0] == ONTOLOGY_GRAPH and project.ontology_files[0].name == "qkg.ttl"
    assert REFERENCE_GRAPH in graphs and graphs.count(SOURCES_GRAPH) == 3


def test_find_from_a_subdirectory(project):
    assert Project.find(project.root / "data" / "sources").root == project.root


def test_find_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("QKG_PROJECT", str(tmp_path))
    with pytest.raises(InputError) as info:
        Project.find()
    assert "ontology/qkg.ttl" in str(info.value)


def test_unknown_source_id_lists_known(project):
    with pytest.raises(InputError) as info:
        project.source("nope")
    assert str(info.value).startswith("--graph: unknown source id 'nope'; known: 2023-05-14")


def test_no_orphan_data_files(project):
    assert project.orphan_data_files() == []
