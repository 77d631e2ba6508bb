"""The build: inputs → OWL RL closure and derivations → an on-disk pyoxigraph store.

Two reasoners give the same store (tested on the project data):

* ``fast`` (default): every file is parsed by pyoxigraph straight into an in-memory
  store, :mod:`qkg.fastreason` infers with SPARQL updates, :mod:`qkg.derive` adds the
  date bounds, and the result is written to disk in one bulk operation. rdflib, owlrl
  and pyshacl are never imported. When a previous fast build exists, only changed
  named graphs are re-parsed and the inferred graph is maintained in place
  (:mod:`qkg.incremental`).
* ``owlrl``: the reference — rdflib graphs, owlrl's closure, junk removal.

The built store is cached under ``.qkg/stores/<key>``, keyed by a hash of every input
file (and the qkg version and reasoner), so a repeated ``qkg query`` opens it in
milliseconds. A quick stat fingerprint (path, size, mtime) avoids even reading the
inputs when nothing changed.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from qkg.namespaces import INFERRED_GRAPH
from qkg.owlrl_build import build_owlrl as _build_owlrl, reason, to_oxigraph, write_store  # noqa: F401  (re-exported)
from qkg.paths import Project

#: Stores kept in the cache besides the current one.
KEEP_STORES = 2
REASONERS = ("fast", "owlrl")
#: The reasoner used when none is named (``fast`` infers what ``owlrl`` infers, less junk).
DEFAULT_REASONER = "fast"
#: What a store's default graph holds (``manifest.json``: ``default_graph``).
EMPTY, MERGED = "empty", "merged"


@dataclass
class BuildResult:
    """A built dataset: where its store is and what went into it."""

    path: Path
    key: str
    graphs: dict[str, int] = field(default_factory=dict)
    inferred: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    reasoner: str = DEFAULT_REASONER
    #: named graphs parsed by this build (all of them unless it was incremental)
    loaded: list[str] = field(default_factory=list)
    incremental: bool = False
    #: input file (relative path) → SHA-256, and → its named graph, for the next incremental build
    files: dict[str, str] = field(default_factory=dict)
    graph_files: dict[str, str] = field(default_factory=dict)
    stats: dict[str, list[int]] = field(default_factory=dict)
    root: str = ""
    #: what the store's default graph holds: ``empty``, or ``merged`` (see :func:`build`)
    default_graph: str = "empty"
    timings: dict[str, float] = field(default_factory=dict)

    def manifest(self) -> dict:
        return {"key": self.key, "reasoner": self.reasoner, "graphs": self.graphs, "inferred": self.inferred,
                "errors": self.errors, "seconds": round(self.seconds, 3), "loaded": self.loaded,
                "incremental": self.incremental, "root": self.root, "files": self.files,
                "graph_files": self.graph_files, "stats": self.stats, "default_graph": self.default_graph,
                "timings": {k: round(v, 3) for k, v in self.timings.items()}}


def _version() -> str:
    from qkg import __version__

    return __version__


def _reasoner(reasoner: str | None) -> str:
    reasoner = reasoner or DEFAULT_REASONER
    if reasoner not in REASONERS:
        from qkg.errors import UsageError

        raise UsageError(f"unknown reasoner {reasoner!r}; choose one of {', '.join(REASONERS)}", "--reasoner")
    return reasoner


def input_files(project: Project) -> list[Path]:
    """Every file whose content the built store depends on."""
    files = [p for _, p in project.graph_files()] + project.rule_files
    return sorted(set(files))


def is_merged(reasoner: str | None, merged: bool | None) -> bool:
    """Whether a build writes the merged default graph: by default the fast reasoner's do."""
    return _reasoner(reasoner) == "fast" if merged is None else merged


def _variant(reasoner: str | None, merged: bool | None) -> str:
    return _reasoner(reasoner) + ("+merged" if is_merged(reasoner, merged) else "")


def stat_fingerprint(project: Project, reasoner: str | None = None, merged: bool | None = None) -> str:
    h = hashlib.sha256(f"{_version()}|{_variant(reasoner, merged)}".encode())
    for p in input_files(project):
        try:
            st = p.stat()
        except OSError:
            h.update(f"{p}|missing".encode())
            continue
        h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()


def relative(project: Project, path: Path) -> str:
    """``path`` (built from the project root) relative to it, as a POSIX string."""
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return project.relative(path)


def file_stats(project: Project) -> dict[str, list[int]]:
    """Relative path → [size, mtime_ns] of every input file that exists."""
    out = {}
    for p in input_files(project):
        try:
            st = p.stat()
        except OSError:
            continue
        out[relative(project, p)] = [st.st_size, st.st_mtime_ns]
    return out


def file_digests(project: Project, known: dict | None = None) -> dict[str, str]:
    """Relative path → SHA-256 of every input file (``missing`` for an absent one).

    :param known: a previous build's manifest: digests of files whose size and mtime
        it recorded unchanged are reused instead of read again.
    """
    stats = file_stats(project)
    old_stats, old_digests = (known or {}).get("stats", {}), (known or {}).get("files", {})
    out = {}
    for p in input_files(project):
        rel = relative(project, p)
        if rel in old_digests and rel in stats and old_stats.get(rel) == stats[rel]:
            out[rel] = old_digests[rel]
            continue
        try:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError:
            out[rel] = "missing"
    return out


def content_key(project: Project, reasoner: str | None = None, digests: dict[str, str] | None = None,
                merged: bool | None = None) -> str:
    h = hashlib.sha256(f"{_version()}|{_variant(reasoner, merged)}".encode())
    for rel, digest in sorted((digests or file_digests(project)).items()):
        h.update(rel.encode() + b"\0" + digest.encode())
    return h.hexdigest()


def _index_path(project: Project) -> Path:
    return project.cache_dir / "index.json"


def _read_index(project: Project) -> dict:
    try:
        return json.loads(_index_path(project).read_text())
    except (OSError, ValueError):
        return {}


def cached_store(project: Project, reasoner: str | None = None, merged: bool | None = None) -> Path | None:
    """The path of an up-to-date built store, or None (no rdflib import on this path)."""
    return lookup(project, reasoner, merged)[0]


def lookup(project: Project, reasoner: str | None = None,
           merged: bool | None = None) -> tuple[Path | None, dict[str, str] | None]:
    """``(path of an up-to-date built store or None, the input files' digests if read)``.

    The digests are read only when the stat fingerprint is unknown; a build that follows
    takes them (:func:`build`'s ``digests``) instead of reading every file again.
    """
    fp = stat_fingerprint(project, reasoner, merged)
    key, digests = _read_index(project).get(fp), None
    if key is None:
        digests = file_digests(project)
        key = content_key(project, reasoner, digests, merged)
    path = project.cache_dir / "stores" / key
    if (path / "manifest.json").is_file():
        _remember(project, fp, key)
        return path, digests
    return None, digests


def _remember(project: Project, fp: str, key: str) -> None:
    index = _read_index(project)
    if index.get(fp) == key:
        return
    index = {k: v for k, v in index.items() if v != key}
    index[fp] = key
    project.cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = _index_path(project).with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(index))
    os.replace(tmp, _index_path(project))


def ensure_built(project: Project, reasoner: str | None = None, log=None, merged: bool | None = None) -> Path:
    """An up-to-date store for ``project``, building it if needed."""
    path, digests = lookup(project, reasoner, merged)
    if path is not None:
        return path
    return build(project, reasoner=reasoner, log=log, merged=merged, digests=digests).path


def load_file(store, graph: str, path: Path, shown: str) -> None:
    """Parse one Turtle file with pyoxigraph into ``graph`` of ``store``.

    :raises InputError, RdfSyntaxError: located, one-line errors (see :mod:`qkg.rdfio`).
    """
    import pyoxigraph as ox

    from qkg.rdfio import check_syntax, read_text, syntax_error

    data = read_text(path, shown)  # missing or not UTF-8: located errors (pyoxigraph skips bad bytes in comments)
    try:
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph), base_iri=path.resolve().as_uri())
    except (SyntaxError, ValueError) as exc:
        check_syntax(data, shown)  # the message the owlrl path gives
        raise syntax_error(str(exc), shown) from None


def graph_counts(store) -> dict[str, int]:
    """Triples per named graph, ``graph/inferred`` left out."""
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    counts = {r["g"].value: int(r["n"].value) for r in store.query(q)}
    counts.pop(INFERRED_GRAPH, None)
    return counts


def reason_fast(store, project: Project, log=None):
    """Materialize the closure and date bounds into ``graph/inferred`` of ``store``.

    :return: :class:`qkg.fastreason.Materialized` (``inferred`` counts the bounds too).
    """
    import pyoxigraph as ox

    from qkg.derive import bounds_quads, load_rules
    from qkg.fastreason import materialize

    done = materialize(store, load_rules(project.rule_files), log=log)
    store.extend(bounds_quads(store, ox.NamedNode(INFERRED_GRAPH)))
    done.inferred = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    return done


def _build_fast(project: Project, tmp: Path, result: BuildResult, log=None) -> None:
    import pyoxigraph as ox

    from qkg.fastreason import ERRORS
    from qkg.incremental import GLOBAL_FILE
    from qkg.loader import Loader, chunk_document, chunks
    from qkg.parallel import workers

    clock = time.perf_counter()
    merged = result.default_graph == MERGED
    mem = ox.Store()
    disk = ox.Store(str(tmp))
    # The asserted graphs go to disk while later files are parsed and the reasoner
    # works: N-Quads bytes from the in-memory store to the bulk loader, both in Rust.
    # Inferred triples must then be about no asserted blank node (checked below).
    loader = Loader(disk, workers=workers())
    try:
        for chunk in chunks(list(project.graph_files())):
            graphs = []
            for graph, path in chunk:
                load_file(mem, graph, path, relative(project, path))
                if graph not in graphs:
                    graphs.append(graph)
            loader.put(chunk_document(mem, graphs, merged))
            result.loaded.extend(g for g in graphs if g not in result.loaded)
        result.timings["parse"] = time.perf_counter() - clock
        clock = time.perf_counter()
        result.graphs = graph_counts(mem)
        done = reason_fast(mem, project, log=log)
        result.inferred, result.errors = done.inferred, done.errors
        result.timings["reason"] = time.perf_counter() - clock
        clock = time.perf_counter()
        # a blank node in the inferred graph other than owlrl's own error nodes
        own = f"NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?n ?t <{ERRORS}ErrorMessage> }} }}"
        rewrite = bool(mem.query(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} VALUES ?side {{ 1 2 }} "
                                 f"BIND(IF(?side = 1, ?s, ?o) AS ?n) FILTER(isBlank(?n) && {own}) }}"))
        if not rewrite:  # the inferred graph is one more document for the loader
            loader.put(chunk_document(mem, [INFERRED_GRAPH], merged))
    except BaseException:
        loader.stop(cancel=True)
        raise
    if rewrite:  # an inferred triple about an asserted blank node: write all again, ids kept
        loader.stop(cancel=True)
        del disk, loader
        shutil.rmtree(tmp)
        disk = ox.Store(str(tmp))
        if merged:
            mem.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        disk.bulk_extend(mem)
    else:
        loader.finish()
    disk.flush()
    # one sorted run per index: the bulk loads leave a few dozen overlapping files, which
    # every lookup then reads (1M triples: 2 s here; stored queries 10-50% faster, the
    # SHACL stage 12.6 -> 7.1 s of CPU)
    disk.optimize()
    del disk, mem
    (tmp / GLOBAL_FILE).write_bytes(ox.serialize([ox.Triple(*t) for t in done.global_triples],
                                                 format=ox.RdfFormat.N_TRIPLES) or b"")
    result.timings["store"] = time.perf_counter() - clock


def build(project: Project, reasoner: str | None = None, log=None, incremental: bool = True,
          merged: bool | None = None, digests: dict[str, str] | None = None) -> BuildResult:
    """Parse every input, reason, derive, and write the store; record it in the cache.

    :param incremental: with the fast reasoner, start from the last fast build and
        re-parse only the named graphs whose files changed.
    :param merged: also write the RDF merge of all named graphs (each triple once) into
        the store's default graph, for queries to read instead of pyoxigraph 0.5's union
        default graph, which repeats a triple once per graph stating it (fast path only;
        ``None``, the default, writes it with the fast reasoner). Queries then read the
        default graph (:class:`qkg.store.EmbeddedBackend` looks at the manifest).
    :param digests: the input files' digests, when :func:`lookup` has just read them.
    :raises InputError, RdfSyntaxError: bad input files (see :mod:`qkg.rdfio`).
    :raises UnsupportedOntology: the fast reasoner met OWL it does not implement.
    """
    reasoner = _reasoner(reasoner)
    merged = is_merged(reasoner, merged)
    if merged and reasoner != "fast":
        from qkg.errors import UsageError

        raise UsageError("a merged default graph is built by the fast reasoner only", "--reasoner")
    started = time.perf_counter()
    fp = stat_fingerprint(project, reasoner, merged)
    previous = None
    if reasoner == "fast" and incremental:
        from qkg.incremental import previous_build

        previous = previous_build(project, MERGED if merged else EMPTY)
    if digests is None:
        digests = file_digests(project, previous[1] if previous else None)
    key = content_key(project, reasoner, digests, merged)
    stores = project.cache_dir / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    tmp = stores / f"tmp-{os.getpid()}-{time.monotonic_ns()}"
    result = BuildResult(stores / key, key, reasoner=reasoner, files=digests, root=str(project.root),
                         default_graph=MERGED if merged else EMPTY,
                         graph_files={relative(project, p): g for g, p in project.graph_files()},
                         stats=file_stats(project))
    try:
        done = False
        if previous is not None:
            from qkg.incremental import update_from_previous

            done = update_from_previous(project, tmp, result, previous, log=log)
        if not done:
            shutil.rmtree(tmp, ignore_errors=True)
            (_build_fast(project, tmp, result, log) if reasoner == "fast" else _build_owlrl(project, tmp, result))
        result.seconds = time.perf_counter() - started
        (tmp / "manifest.json").write_text(json.dumps(result.manifest(), indent=1))
        if result.path.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.replace(tmp, result.path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _remember(project, fp, key)
    _prune(stores, keep=result.path)
    if log:
        how = "incrementally " if result.incremental else ""
        log(f"built {how}{sum(result.graphs.values())} asserted and {result.inferred} inferred triples "
            f"with the {reasoner} reasoner in {result.seconds:.2f} s")
    return result


def _prune(stores: Path, keep: Path) -> None:
    others = sorted(
        (p for p in stores.iterdir() if p.is_dir() and p != keep and not p.name.startswith("tmp-")),
        key=lambda p: p.stat().st_mtime, reverse=True,
    )
    for old in others[KEEP_STORES:]:
        shutil.rmtree(old, ignore_errors=True)
