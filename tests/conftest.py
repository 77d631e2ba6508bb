"""Shared fixtures: the real project, its built store and an embedded backend."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def project():
    from qkg.paths import Project

    return Project(ROOT)


@pytest.fixture(scope="session")
def store_path(project, tmp_path_factory, monkeypatch_session):
    """The project's store, built once per test session into a private cache."""
    from qkg.build import ensure_built

    monkeypatch_session.setenv("QKG_CACHE_DIR", str(tmp_path_factory.mktemp("qkg-cache")))
    return ensure_built(project)


@pytest.fixture(scope="session")
def backend(store_path):
    from qkg.store import EmbeddedBackend

    return EmbeddedBackend(store_path)


@pytest.fixture(scope="session")
def monkeypatch_session():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture
def project_copy(tmp_path):
    """A writable copy of the project (ontology, data, queries) for tests that break it."""
    from qkg.paths import Project

    for name in ("ontology", "data", "queries"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    return Project(tmp_path)
