"""The build: inputs → OWL RL closure and derivations → an on-disk pyoxigraph store.

The built store is cached under ``.qkg/stores/<key>``, keyed by a hash of every input
file (and the qkg version and reasoner), so a repeated ``qkg query`` opens it in
milliseconds and never imports rdflib, owlrl or pyshacl. A changed input rebuilds.
A quick stat fingerprint (path, size, mtime) avoids even reading the inputs when
nothing changed.
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
from qkg.paths import Project

#: Stores kept in the cache besides the current one.
KEEP_STORES = 2
REASONERS = ("owlrl", "fast")


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

    def manifest(self) -> dict:
        return {"key": self.key, "graphs": self.graphs, "inferred": self.inferred,
                "errors": self.errors, "seconds": round(self.seconds, 3)}


def _version() -> str:
    from qkg import __version__

    return __version__


def input_files(project: Project) -> list[Path]:
    """Every file whose content the built store depends on."""
    files = [p for _, p in project.graph_files()] + project.rule_files
    return sorted(set(files))


def stat_fingerprint(project: Project, reasoner: str) -> str:
    h = hashlib.sha256(f"{_version()}|{reasoner}".encode())
    for p in input_files(project):
        try:
            st = p.stat()
        except OSError:
            h.update(f"{p}|missing".encode())
            continue
        h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()


def content_key(project: Project, reasoner: str) -> str:
    h = hashlib.sha256(f"{_version()}|{reasoner}".encode())
    for p in input_files(project):
        h.update(project.relative(p).encode() + b"\0")
        try:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()


def _index_path(project: Project) -> Path:
    return project.cache_dir / "index.json"


def _read_index(project: Project) -> dict:
    try:
        return json.loads(_index_path(project).read_text())
    except (OSError, ValueError):
        return {}


def cached_store(project: Project, reasoner: str = "owlrl") -> Path | None:
    """The path of an up-to-date built store, or None (no rdflib import on this path)."""
    fp = stat_fingerprint(project, reasoner)
    key = _read_index(project).get(fp)
    if key is None:
        key = content_key(project, reasoner)
    path = project.cache_dir / "stores" / key
    if (path / "manifest.json").is_file():
        _remember(project, fp, key)
        return path
    return None


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


def ensure_built(project: Project, reasoner: str = "owlrl", log=None) -> Path:
    """An up-to-date store for ``project``, building it if needed."""
    path = cached_store(project, reasoner)
    if path is not None:
        return path
    return build(project, reasoner=reasoner, log=log).path


def reason(inputs, reasoner: str, rules):
    """Closure plus shortcut rules, to a fixpoint: ``(inferred rdflib graph, errors)``.

    Rule output can feed OWL RL (``qkg:holds`` is a sub-property of ``org:holds``), so
    the closure is recomputed while the rules add anything new.
    """
    import rdflib

    from qkg.derive import bounds_triples_rdflib

    asserted = inputs.merged()
    if reasoner == "fast":
        from qkg.fastreason import fast_closure

        return fast_closure(asserted, rules)
    from qkg.graph import owlrl_closure

    work = rdflib.Graph()
    work += asserted
    errors: list[str] = []
    while True:
        closure = owlrl_closure(work)
        errors = closure.errors
        work += closure.inferred
        new = set()
        for rule in rules:
            for triple in work.query(rule.text):
                if triple not in work:
                    new.add(triple)
        if not new:
            break
        for t in new:
            work.add(t)
    inferred = rdflib.Graph()
    for t in work:
        if t not in asserted:
            inferred.add(t)
    for t in bounds_triples_rdflib(work):
        inferred.add(t)
    return inferred, errors


def to_oxigraph(term):
    """Convert an rdflib term to a pyoxigraph term (blank node ids are kept)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def write_store(path: Path, graphs: dict, inferred) -> None:
    """Write the asserted graphs and the inferred graph into a new store at ``path``."""
    import pyoxigraph as ox

    store = ox.Store(str(path))

    def quads():
        for iri, g in graphs.items():
            name = ox.NamedNode(iri)
            for s, p, o in g:
                yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)
        name = ox.NamedNode(INFERRED_GRAPH)
        for s, p, o in inferred:
            yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)

    store.bulk_extend(quads())
    store.flush()
    store.optimize()
    del store


def build(project: Project, reasoner: str = "owlrl", log=None) -> BuildResult:
    """Parse every input, reason, derive, and write the store; record it in the cache.

    :raises InputError, RdfSyntaxError: bad input files (see :mod:`qkg.rdfio`).
    """
    from qkg.derive import load_rules
    from qkg.graph import load_inputs

    if reasoner not in REASONERS:
        from qkg.errors import UsageError

        raise UsageError(f"unknown reasoner {reasoner!r}; choose one of {', '.join(REASONERS)}", "--reasoner")
    started = time.perf_counter()
    fp = stat_fingerprint(project, reasoner)
    key = content_key(project, reasoner)
    inputs = load_inputs(project)
    inferred, errors = reason(inputs, reasoner, load_rules(project.rule_files))
    stores = project.cache_dir / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    tmp = stores / f"tmp-{os.getpid()}-{time.monotonic_ns()}"
    write_store(tmp, inputs.graphs, inferred)
    result = BuildResult(
        stores / key, key,
        graphs={iri: len(g) for iri, g in inputs.graphs.items()},
        inferred=len(inferred), errors=errors,
    )
    result.seconds = time.perf_counter() - started
    (tmp / "manifest.json").write_text(json.dumps(result.manifest(), indent=1))
    if result.path.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        os.replace(tmp, result.path)
    _remember(project, fp, key)
    _prune(stores, keep=result.path)
    if log:
        log(f"built {sum(result.graphs.values())} asserted and {result.inferred} inferred triples "
            f"in {result.seconds:.2f} s")
    return result


def _prune(stores: Path, keep: Path) -> None:
    others = sorted(
        (p for p in stores.iterdir() if p.is_dir() and p != keep and not p.name.startswith("tmp-")),
        key=lambda p: p.stat().st_mtime, reverse=True,
    )
    for old in others[KEEP_STORES:]:
        shutil.rmtree(old, ignore_errors=True)
