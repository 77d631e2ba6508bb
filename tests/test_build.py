"""The build: both reasoners, the cache, the manifest, and errors that name the file."""
from __future__ import annotations

import json

import pytest


def _missing_dot(project):
    path = project.sources()[0].data
    path.write_text(path.read_text(encoding="utf-8") + "\nqorg:x rdfs:label \"x\"@en\n", encoding="utf-8")


def _undefined_prefix(project):
    path = project.sources()[0].data
    path.write_text(path.read_text(encoding="utf-8") + "\nnope:x rdfs:label \"x\"@en .\n", encoding="utf-8")


def _not_utf8(project):
    path = project.reference_file
    path.write_bytes(path.read_bytes() + b"\n# caf\xe9\n")


def _missing_data_file(project):
    project.sources()[0].data.unlink()


#: broken input → (error class name, text the one-line message contains)
BROKEN = {
    "missing-dot": (_missing_dot, "RdfSyntaxError", "data/"),
    "undefined-prefix": (_undefined_prefix, "RdfSyntaxError", "undefined prefix 'nope:'"),
    "not-utf8": (_not_utf8, "InputError", "not valid UTF-8"),
    "missing-data-file": (_missing_data_file, "InputError", "file not found"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_both_reasoners_report_the_same_located_error(case, project_copy, monkeypatch, tmp_path):
    from qkg.build import build
    from qkg.errors import QkgError

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path))
    breaker, cls, text = BROKEN[case]
    breaker(project_copy)
    messages = []
    for reasoner in ("fast", "owlrl"):
        with pytest.raises(QkgError) as info:
            build(project_copy, reasoner=reasoner, incremental=False)
        assert type(info.value).__name__ == cls
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert text in messages[0]
    assert "\n" not in messages[0]


def test_unknown_reasoner_is_a_usage_error(project):
    from qkg.build import build
    from qkg.errors import UsageError

    with pytest.raises(UsageError, match="--reasoner"):
        build(project, reasoner="hermit")


@pytest.mark.parametrize("reasoner", ["fast", "owlrl"])
def test_build_writes_store_and_manifest(reasoner, project, monkeypatch, tmp_path):
    import pyoxigraph as ox

    from qkg.build import build, cached_store
    from qkg.namespaces import INFERRED_GRAPH

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path))
    assert cached_store(project, reasoner) is None
    result = build(project, reasoner=reasoner, incremental=False)
    assert cached_store(project, reasoner) == result.path
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert (manifest["reasoner"], manifest["inferred"], manifest["graphs"]) == (reasoner, result.inferred, result.graphs)
    store = ox.Store.read_only(str(result.path))
    names = {g.value for g in store.named_graphs()}
    assert names == set(result.graphs) | {INFERRED_GRAPH}
    named = [q for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g)]
    assert len(named) == sum(result.graphs.values()) + result.inferred
    assert sorted(result.loaded) == sorted(result.graphs)
    default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    # The fast build writes the RDF merge of every named graph into the default graph.
    assert (manifest["default_graph"], default) == (("merged", {q.triple for q in named}) if reasoner == "fast"
                                                    else ("empty", set()))


def test_merged_default_graph_shares_blank_nodes_with_the_named_graphs(project, monkeypatch, tmp_path):
    import pyoxigraph as ox

    from qkg.build import build

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path))
    store = ox.Store.read_only(str(build(project, incremental=False).path))
    blank = {q.subject for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g)
             if isinstance(q.subject, ox.BlankNode)}
    in_default = {q.subject for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
                  if isinstance(q.subject, ox.BlankNode)}
    assert blank and in_default == blank


def test_reasoners_are_cached_apart(project, monkeypatch, tmp_path):
    from qkg.build import build

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path))
    assert build(project, reasoner="fast").key != build(project, reasoner="owlrl").key


def test_fast_path_imports_neither_rdflib_nor_owlrl(project, tmp_path):
    import subprocess
    import sys

    code = ("import os, sys; os.environ['QKG_CACHE_DIR'] = sys.argv[1]\n"
            "from pathlib import Path; from qkg.build import build; from qkg.paths import Project\n"
            "build(Project(Path(sys.argv[2])), reasoner='fast')\n"
            "print(sorted(m for m in ('rdflib', 'owlrl', 'pyshacl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(project.root)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_inferred_triples_about_asserted_blank_nodes_keep_their_subjects(project_copy, monkeypatch, tmp_path):
    """The fast path writes the asserted graphs with new blank node ids; an inferred
    triple about an asserted blank node must still name the same node."""
    import pyoxigraph as ox

    from qkg.build import build
    from qkg.namespaces import INFERRED_GRAPH

    data = project_copy.sources()[0].data
    data.write_text(data.read_text(encoding="utf-8") + '\n[] a qkg:HighLevelMeeting ; rdfs:label "Anonymous"@en .\n',
                    encoding="utf-8")
    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path))
    store = ox.Store.read_only(str(build(project_copy, reasoner="fast", incremental=False).path))
    label = next(store.quads_for_pattern(None, None, ox.Literal("Anonymous", language="en")))
    types = {q.object.value.rsplit("#", 1)[-1]
             for q in store.quads_for_pattern(label.subject, None, None, ox.NamedNode(INFERRED_GRAPH))}
    assert {"Event", "Meeting"} <= types


def test_chunked_bulk_load_writes_the_same_store(project, monkeypatch, tmp_path):
    """A graph per chunk (as at scale, where the loader works while files are parsed)
    gives the store of a single chunk, blank nodes shared by the default graph included."""
    import pyoxigraph as ox

    from qkg import build as build_module, loader
    from test_incremental import _normalized

    stores = {}
    for chunk_bytes, threads in ((2**40, "1"), (1, "1"), (1, "2")):  # two threads load the last chunks
        monkeypatch.setattr(loader, "CHUNK_BYTES", chunk_bytes)
        monkeypatch.setattr(loader, "MAX_CHUNKS", 10**6)
        monkeypatch.setenv("QKG_THREADS", threads)
        monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / f"{chunk_bytes}-{threads}"))
        stores[chunk_bytes, threads] = build_module.build(project, incremental=False).path
    assert len(loader.chunks(list(project.graph_files()))) == len({g for g, _ in project.graph_files()}) > 3
    assert _normalized(stores[1, "1"]) == _normalized(stores[2**40, "1"]) == _normalized(stores[1, "2"])
    store = ox.Store.read_only(str(stores[1, "2"]))
    blank = {q.subject for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g)
             if isinstance(q.subject, ox.BlankNode)}
    assert blank == {q.subject for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
                     if isinstance(q.subject, ox.BlankNode)}


def test_chunks_keep_a_graphs_files_together(tmp_path, monkeypatch):
    from qkg import loader

    files = []
    for i, graph in enumerate("aabcca"):
        path = tmp_path / f"{i}.ttl"
        path.write_text("x" * 10)
        files.append((graph, path))
    monkeypatch.setattr(loader, "CHUNK_BYTES", 10)
    chunks = loader.chunks(files)
    assert [[g for g, _ in c] for c in chunks] == [["a", "a", "a"], ["b"], ["c", "c"]]
    monkeypatch.setattr(loader, "MAX_CHUNKS", 1)
    assert len(loader.chunks(files)) == 1


def test_a_failed_bulk_load_is_raised_by_the_build(tmp_path):
    import pyoxigraph as ox

    from qkg.loader import Loader

    loader = Loader(ox.Store(str(tmp_path / "store")))
    loader.put(b"<http://example.org/s> <http://example.org/p> .\n")
    loader.put(b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    with pytest.raises(SyntaxError):
        loader.finish()


def test_the_loader_adds_its_workers_when_the_build_is_done(tmp_path):
    """One thread loads while the build works; ``finish`` adds the others for the
    documents still waiting, and every document is loaded."""
    import pyoxigraph as ox

    from qkg.loader import Loader

    store = ox.Store(str(tmp_path / "store"))
    loader = Loader(store, workers=3)
    assert len(loader.threads) == 1
    for i in range(20):
        loader.put(f"<http://example.org/s{i}> <http://example.org/p> <http://example.org/o> <http://example.org/g{i % 4}> .\n"
                   f"<http://example.org/s{i}> <http://example.org/p> <http://example.org/o> .\n".encode())
    loader.finish()
    assert len(loader.threads) == 3 and not any(t.is_alive() for t in loader.threads)
    assert len(store) == 40 and len(list(store.named_graphs())) == 4


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_build_drops_the_documents_still_waiting(tmp_path, workers):
    """A broken file stops the build: the chunks queued behind the load under way are
    not loaded (at scale, seconds of RocksDB work for a store that is thrown away)."""
    import pyoxigraph as ox

    from qkg.loader import Loader

    store = ox.Store(str(tmp_path / "store"))
    loader = Loader(store, workers=workers)
    loader.cancelled = True  # as stop(cancel=True) leaves it, before the queue drains
    loader.put(b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    loader.stop(cancel=True)
    assert len(store) == 0 and len(loader.threads) == 1  # no worker added for a failed build
    loader = Loader(store)
    loader.put(b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    loader.finish()
    assert len(store) == 1


def test_a_build_after_a_missed_lookup_reads_the_inputs_once(project, monkeypatch, tmp_path):
    """``ensure_built`` on an empty cache hashes every input file once: the lookup's
    digests give the new store its key."""
    from qkg import build as build_module

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path))
    calls = []
    original = build_module.file_digests
    monkeypatch.setattr(build_module, "file_digests", lambda *a, **k: calls.append(a) or original(*a, **k))
    path = build_module.ensure_built(project)
    assert len(calls) == 1
    assert path == build_module.cached_store(project) and path.name == build_module.content_key(project)
