"""Shared fixtures: the real project, its built store and an embedded backend."""
from __future__ import annotations

import os
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


#: Debian's chromium (scripts/test.sh installs it); ``$QKG_CHROMIUM`` names another binary.
CHROMIUM = os.environ.get("QKG_CHROMIUM", "/usr/bin/chromium")
#: Flags for a headless chromium on a machine without network access.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """The chromium binary; without it browser tests skip, except under CI (``$CI`` set),
    where they fail: a CI run that checks nothing must not look green."""
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = (f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium; scripts/test.sh "
               "does) or point $QKG_CHROMIUM at a chromium binary")
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser(chromium):
    """A headless chromium per test module. Module scope, not session: a live sync
    Playwright keeps an asyncio loop running in the main thread, which would break
    ``asyncio.run`` in the modules after it; and two cannot coexist."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
