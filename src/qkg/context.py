"""The dataset a validation run works on: graphs, closure, store, documents, locator.

For the whole project it is the build's dataset: a cached store is read back as is
and a stale one rebuilt by :func:`qkg.build.build`, so the OWL RL closure is never
computed twice. For some files it is parsed here, and the closure computed in
memory (with the build's own :func:`qkg.build.reason`) when a stage first needs it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from qkg.namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, RDFS, SKOS, SOURCES_GRAPH
from qkg.paths import Project


@dataclass
class Document:
    """A document graph being validated and the files behind it."""

    graph: str
    data: Path
    doc: str  # the document's IRI (qdoc:…)
    meta: Path | None = None
    text: Path | None = None


class Context:
    """The loaded dataset every stage works on.

    :ivar graphs: asserted rdflib graphs by graph IRI (ontology, reference, sources,
        documents); on the build's store each is read from it when first asked for, so
        stages that scan every statement query :attr:`quads` instead.
    :ivar inferred: the build's inferred graph (closure, shortcuts, date bounds).
    :ivar store: a pyoxigraph store with every graph, for the SPARQL checks.
    :ivar quads: a pyoxigraph store holding every asserted graph as a named graph (the
        build's store, which also holds the inferred graph; else the parsed files, no
        reasoning needed): query it with ``GRAPH ?g`` and keep the graphs in :attr:`scope`.
    :ivar documents: the document graphs in scope.
    :ivar scope: graph IRIs whose assertions the data stages check.
    """

    def __init__(self, project: Project, files: list[tuple[str, Path]], documents: list[Document]):
        from qkg.locate import Locator

        self.project = project
        self.files = files
        self.documents = documents
        self.graphs: dict = {}
        #: ``(inferred graph, owlrl errors, pyoxigraph store)``, or a function making it
        self.closure = None
        self.scope: set[str] = set()
        self.whole = True  # the whole project, not some files
        self.merged = False  # the store's default graph holds the merge (a fast build's store)
        self.store_path = None  # the built store on disk, when the build's dataset is used
        ordered = [(d.graph, d.data) for d in documents]
        ordered += [(g, p) for g, p in files if (g, p) not in ordered]
        self.locator = Locator(ordered, project.relative)
        self._labels: dict | None = None
        self._quads = None
        #: ``(owlrl errors, store)`` of a built store, known without converting its
        #: inferred graph to rdflib (84k triples at 1M: 4 s)
        self._built: tuple | None = None

    @property
    def quads(self):
        if self._quads is None:
            self._quads = memory_store(self.graphs.items())
        return self._quads

    def _closed(self) -> tuple:
        if callable(self.closure):  # reasoning in memory runs when a stage first needs it
            self.closure = self.closure()
        return self.closure

    @property
    def inferred(self):
        return self._closed()[0]

    @property
    def errors(self) -> list[str]:
        return self._built[0] if self._built is not None else self._closed()[1]

    @property
    def store(self):
        return self._built[1] if self._built is not None else self._closed()[2]

    @property
    def ontology(self):
        return self.graphs[ONTOLOGY_GRAPH]

    def union(self, with_inferred: bool = True):
        """Every asserted graph (and the inferred graph) in one rdflib graph."""
        import rdflib

        out = rdflib.Graph()
        for g in self.graphs.values():
            out += g
        if with_inferred:
            out += self.inferred
        return out

    def label(self, node) -> str | None:
        """The English (else any) rdfs:label or skos:prefLabel of ``node``."""
        if isinstance(self.graphs, StoreGraphs):
            return self.graphs.label(node)
        if self._labels is None:
            from rdflib import RDFS, SKOS

            found: dict = {}
            for g in self.graphs.values():
                for p in (SKOS.prefLabel, RDFS.label):
                    for s, o in g.subject_objects(p):
                        rank = 0 if getattr(o, "language", None) == "en" else 1
                        if s not in found or rank < found[s][0]:
                            found[s] = (rank, str(o))
            self._labels = {s: v for s, (_, v) in found.items()}
        return self._labels.get(node)

    def graph_of(self, node, path=None) -> str | None:
        """The graph that describes ``node`` (with ``path`` if given), documents first."""
        from rdflib import URIRef

        docs = [d.graph for d in self.documents]
        order = docs + [g for g in self.graphs if g not in docs]
        patterns = [(node, URIRef(path), None)] if path else []
        patterns += [(node, None, None), (None, None, node)]
        if isinstance(self.graphs, StoreGraphs):
            rank = {g: i for i, g in enumerate(order)}
            for want in patterns:
                found = self.graphs.graphs_with(*want)
                if found:
                    return min(found, key=lambda g: rank.get(g, len(rank)))
            return None
        for want in patterns:
            for g in order:
                if g in self.graphs and want in self.graphs[g]:
                    return g
        return None

    def finding(self, code, stage, severity, message, focus=None, graph=None, path=None, file=None, line=None):
        """A finding about ``focus`` (an rdflib term), located and labelled."""
        from rdflib import BNode

        from qkg.locate import anchor

        label = iri = None
        if focus is not None:
            graph = graph or self.graph_of(focus, path)
            asserted = self.graphs.get(graph)
            if isinstance(focus, BNode):
                top = anchor(asserted, focus) if asserted is not None else None
                iri = str(top) if top is not None else None
                label = (self.label(top) or iri or "") + " (blank node)" if top is not None else "(blank node)"
                if file is None and asserted is not None:
                    file, line = self.locator.bnode(asserted, focus, graph) or (None, None)
                if file is None and top is not None:
                    file, line = self.locator.subject(str(top), graph) or (None, None)
            else:
                iri, label = str(focus), self.label(focus)
                if file is None:
                    file, line = self.locator.subject(iri, graph) or (None, None)
        if file is None and graph is not None:
            paths = [p for g, p in self.locator.files if g == graph]
            file = self.project.relative(paths[0]) if len(paths) == 1 else None
        from qkg.validate import Finding

        return Finding(code, stage, severity, message, file, line, iri, label, str(path) if path else None)


def documents(project: Project, files: list[Path] | None) -> tuple[list[Document], list[Path]]:
    """The documents in scope and the files given that could not be found."""
    from qkg.namespaces import doc_iri

    by_data = {s.data.resolve(): s for s in project.sources()}
    docs, missing = [], []
    if files is None:
        for s in project.sources():
            docs.append(Document(s.graph, s.data, doc_iri(s.source_id), s.meta, _text_of(project, s.meta, s.text)))
        return docs, missing
    for f in files:
        if not f.is_file():
            missing.append(f)
            continue
        if f.resolve() == project.reference_file.resolve():
            continue
        s = by_data.get(f.resolve())
        if s:
            docs.append(Document(s.graph, f, doc_iri(s.source_id), s.meta, _text_of(project, s.meta, s.text)))
            continue
        stem = f.name[: -len(".ttl")] if f.name.endswith(".ttl") else f.stem
        meta = project.sources_dir / f"{stem}.meta.ttl"
        texts = [project.sources_dir / f"{stem}.txt", f.parent / "sources" / f"{stem}.txt"]
        text = next((t for t in texts if t.is_file()), None)
        docs.append(Document(GRAPH + stem, f, doc_iri(stem), meta if meta.is_file() else None, text))
    return docs, missing


def _text_of(project: Project, meta: Path, default: Path) -> Path:
    """The text file a metadata file names (qkg:textFile, relative to data/)."""
    m = re.search(r'qkg:textFile\s+"([^"]+)"', meta.read_text(encoding="utf-8", errors="replace")) if meta.is_file() else None
    return project.data_dir / m.group(1) if m else default


def input_files(project: Project, docs: list[Document], files: list[Path] | None) -> list[tuple[str, Path]]:
    if files is None:
        return [(g, p) for g, p in project.graph_files() if p.exists() or g == SOURCES_GRAPH]
    out = [(ONTOLOGY_GRAPH, p) for p in project.ontology_files]
    if project.reference_file.exists():
        out.append((REFERENCE_GRAPH, project.reference_file))
    out += [(SOURCES_GRAPH, d.meta) for d in docs if d.meta is not None]
    out += [(d.graph, d.data) for d in docs]
    return out


def from_ox(term):
    import rdflib
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return rdflib.Literal(term.value, datatype=None if dt.endswith("#string") else rdflib.URIRef(dt))


def load(ctx: Context, pairs: list[tuple[str, Path]], use_build: bool, built: Path | None = None) -> None:
    """Fill ``ctx`` with graphs, the closure and a store: from the build's store when
    the whole project is validated (``built``, the current one if the caller looked it
    up: none there means it is built now), else by parsing and reasoning in memory."""
    import json

    import pyoxigraph as ox

    if use_build:
        from qkg.build import build

        path = built or build(ctx.project).path
        store = ox.Store.read_only(str(path))
        manifest = json.loads((path / "manifest.json").read_text())
        errors, ctx.merged = manifest.get("errors", []), manifest.get("default_graph") == "merged"
        ctx.store_path = path
        ctx.graphs = StoreGraphs(store)
        ctx.closure = lambda: (graph_of_store(store, INFERRED_GRAPH), errors, store)
        ctx._built = (errors, store)
        ctx._quads = store
        return
    from qkg.graph import load_inputs

    inputs = load_inputs(ctx.project, files=pairs)
    ctx.graphs = inputs.graphs
    ctx.closure = lambda: _reason(ctx.project, inputs)


def _reason(project: Project, inputs) -> tuple:
    """The build's reasoning (closure, shortcut rules, date bounds) in memory."""
    from qkg.build import reason
    from qkg.derive import load_rules

    inferred, errors = reason(inputs, "owlrl", load_rules(project.rule_files))
    return inferred, errors, memory_store([*inputs.graphs.items(), (INFERRED_GRAPH, inferred)])


def memory_store(graphs):
    """An in-memory pyoxigraph store holding ``(graph IRI, rdflib graph)`` pairs as named graphs."""
    import pyoxigraph as ox

    from qkg.build import to_oxigraph

    store = ox.Store()
    store.bulk_extend(ox.Quad(*(to_oxigraph(t) for t in triple), ox.NamedNode(iri)) for iri, g in graphs for triple in g)
    return store


def graph_of_store(store, iri: str):
    """The named graph ``iri`` of a pyoxigraph ``store`` as an rdflib graph."""
    import pyoxigraph as ox
    import rdflib

    g = rdflib.Graph(identifier=rdflib.URIRef(iri))
    g.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), g)
           for q in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
    return g


SKOS_PREF_LABEL, RDFS_LABEL = SKOS + "prefLabel", RDFS + "label"


class StoreGraphs(Mapping):
    """The asserted named graphs of a built store (all but the inferred graph) by IRI,
    each converted to an rdflib graph only when asked for (1M triples: 29 s to convert
    them all), with the lookups :class:`Context` needs answered by the store itself."""

    def __init__(self, store):
        self.store = store
        self.names = [g.value for g in store.named_graphs() if g.value != INFERRED_GRAPH]
        self._known = set(self.names)
        self._cache: dict = {}

    def __getitem__(self, iri: str):
        if iri not in self._known:
            raise KeyError(iri)
        if iri not in self._cache:
            self._cache[iri] = graph_of_store(self.store, iri)
        return self._cache[iri]

    def __contains__(self, iri) -> bool:
        return iri in self._known

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def graphs_with(self, s, p, o) -> set[str]:
        """IRIs of the asserted graphs holding a statement matching ``(s, p, o)`` (rdflib terms or None)."""
        import pyoxigraph as ox

        from qkg.build import to_oxigraph

        s, p, o = (to_oxigraph(t) if t is not None else None for t in (s, p, o))
        if isinstance(s, ox.Literal):
            return set()  # no statement has a literal subject (pyoxigraph refuses the pattern)
        return {q.graph_name.value for q in self.store.quads_for_pattern(s, p, o, None)
                if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in self._known}

    def label(self, node) -> str | None:
        """The English (else any) rdfs:label or skos:prefLabel of ``node`` in an asserted graph."""
        import pyoxigraph as ox

        from qkg.build import to_oxigraph

        best = None
        if not isinstance(to_oxigraph(node), (ox.NamedNode, ox.BlankNode)):
            return None  # a literal has no label
        for p in (SKOS_PREF_LABEL, RDFS_LABEL):
            for q in self.store.quads_for_pattern(to_oxigraph(node), ox.NamedNode(p), None, None):
                if not isinstance(q.graph_name, ox.NamedNode) or q.graph_name.value not in self._known:
                    continue
                if not isinstance(q.object, ox.Literal):
                    continue
                if q.object.language == "en":
                    return q.object.value
                best = best if best is not None else q.object.value
        return best
