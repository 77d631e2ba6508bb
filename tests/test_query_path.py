"""The query path stays light: with the store built, a fresh ``qkg query`` process opens
it read-only and never imports rdflib, owlrl or pyshacl (nor reads the inputs)."""
from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("rdflib", "owlrl", "pyshacl")
RUN = ("import sys\n"
       "from qkg.cli import main\n"
       "code = main(sys.argv[1:])\n"
       "print('HEAVY', sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
       "sys.exit(code)\n").format(heavy=HEAVY)


@pytest.fixture(scope="module")
def built(project, tmp_path_factory):
    """A private cache holding the project's store for both reasoners (so the test
    holds whichever one ``qkg query`` asks for)."""
    import os

    from qkg.build import ensure_built

    cache = tmp_path_factory.mktemp("query-path-cache")
    old = os.environ.get("QKG_CACHE_DIR")
    os.environ["QKG_CACHE_DIR"] = str(cache)
    try:
        for reasoner in ("fast", "owlrl"):
            ensure_built(project, reasoner=reasoner)
    finally:
        os.environ.pop("QKG_CACHE_DIR") if old is None else os.environ.__setitem__("QKG_CACHE_DIR", old)
    return cache


def _qkg(cache, project, *args):
    import os

    env = {**os.environ, "QKG_CACHE_DIR": str(cache), "QKG_PROJECT": str(project.root)}
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("args", [
    ("query", "list-events-timeline"),
    ("query", "describe-actor", "-p", "actor=qorg:q-star"),
    ("queries",),
])
def test_query_imports_no_heavy_module(built, project, args):
    out = _qkg(built, project, *args)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stderr
    assert out.stdout.strip() != ""


def test_cached_store_is_found_without_reading_the_inputs(built, project, monkeypatch):
    """The warm path stats the inputs; it neither parses nor hashes them."""
    from pathlib import Path

    import qkg.build
    from qkg.build import cached_store

    def refuse(*args, **kwargs):
        raise AssertionError("the warm path read an input")

    monkeypatch.setenv("QKG_CACHE_DIR", str(built))
    monkeypatch.setattr(qkg.build, "content_key", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    path = cached_store(project)
    assert path is not None and (path / "manifest.json").is_file()


def test_store_opens_read_only_while_another_reader_holds_it(built, project, monkeypatch):
    import pyoxigraph as ox

    from qkg.build import cached_store

    monkeypatch.setenv("QKG_CACHE_DIR", str(built))
    path = cached_store(project)
    first = ox.Store.read_only(str(path))
    second = ox.Store.read_only(str(path))
    assert len(first) == len(second) > 0
