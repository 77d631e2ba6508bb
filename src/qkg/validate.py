"""Validation: run every stage over the project (or some files) and collect findings.

Stages, in order: syntax, vocabulary, ontology, shapes, evidence, checks, reasoning,
queries. A syntax error stops the run (exit 2); every other stage reports. The
dataset is the build's: a cached store is read back as is, a stale one is rebuilt
by :func:`qkg.build.build`, so the OWL RL closure is never computed twice.
"""
from __future__ import annotations

import contextlib
import logging
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qkg.errors import InputError, QkgError, RdfSyntaxError, UsageError
from qkg.namespaces import GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, SOURCES_GRAPH, INFERRED_GRAPH
from qkg.paths import Project

STAGES = ("syntax", "vocabulary", "ontology", "shapes", "evidence", "checks", "reasoning", "queries")
SEVERITIES = ("violation", "warning", "info")
#: Inference pyshacl runs: none, because the data graph already holds the build's
#: OWL RL closure (benchmarks/bench_validate.py compares the result sets).
SHACL_INFERENCE = "none"
_LOCATION = re.compile(r"^(.*?):(\d+)(?::(\d+))?$")


@dataclass(frozen=True)
class Finding:
    """One problem found by a stage, with a stable ``code`` tests and CI can match on."""

    code: str
    stage: str
    severity: str  # "violation" | "warning" | "info"
    message: str
    file: str | None = None
    line: int | None = None
    focus: str | None = None
    label: str | None = None
    path: str | None = None
    col: int | None = None

    def location(self) -> str:
        from qkg.errors import location

        return location(self.file, self.line, self.col) if self.file else ""

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Report:
    """Every finding of a run, and the exit code it earns."""

    findings: list[Finding] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    fail_on: str = "violation"
    seconds: float = 0.0

    @property
    def fatal(self) -> bool:
        """True when the run stopped: a file could not be read or parsed."""
        return any(f.stage == "syntax" and f.code in FATAL_CODES for f in self.findings)

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return 2
        worst = SEVERITIES.index(self.fail_on)
        return 1 if any(SEVERITIES.index(f.severity) <= worst for f in self.findings) else 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


FATAL_CODES = {"QKG-SYNTAX", "QKG-UNDEFINED-PREFIX", "QKG-NOT-UTF8", "QKG-FILE-NOT-FOUND", "QKG-UNREADABLE"}


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

    :ivar graphs: asserted rdflib graphs by graph IRI (ontology, reference, sources, documents).
    :ivar inferred: the build's inferred graph (closure, shortcuts, date bounds).
    :ivar store: a pyoxigraph store with every graph, for the SPARQL checks.
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
        ordered = [(d.graph, d.data) for d in documents]
        ordered += [(g, p) for g, p in files if (g, p) not in ordered]
        self.locator = Locator(ordered, project.relative)
        self._labels: dict | None = None

    def _closed(self) -> tuple:
        if callable(self.closure):  # reasoning in memory runs when a stage first needs it
            self.closure = self.closure()
        return self.closure

    @property
    def inferred(self):
        return self._closed()[0]

    @property
    def errors(self) -> list[str]:
        return self._closed()[1]

    @property
    def store(self):
        return self._closed()[2]

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
        return Finding(code, stage, severity, message, file, line, iri, label, str(path) if path else None)


# -- loading ---------------------------------------------------------------------------


def _documents(project: Project, files: list[Path] | None) -> tuple[list[Document], list[Path]]:
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


def _input_files(project: Project, docs: list[Document], files: list[Path] | None) -> list[tuple[str, Path]]:
    if files is None:
        return [(g, p) for g, p in project.graph_files() if p.exists() or g == SOURCES_GRAPH]
    out = [(ONTOLOGY_GRAPH, p) for p in project.ontology_files]
    if project.reference_file.exists():
        out.append((REFERENCE_GRAPH, project.reference_file))
    out += [(SOURCES_GRAPH, d.meta) for d in docs if d.meta is not None]
    out += [(d.graph, d.data) for d in docs]
    return out


def _syntax_finding(exc: QkgError) -> Finding:
    m = _LOCATION.match(exc.location or "")
    file, line, col = (m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else None) if m else (exc.location, None, None)
    msg = exc.message
    if isinstance(exc, RdfSyntaxError):
        code = "QKG-UNDEFINED-PREFIX" if msg.startswith("undefined prefix") else "QKG-SYNTAX"
    elif "UTF-8" in msg:
        code = "QKG-NOT-UTF8"
    elif "not found" in msg:
        code = "QKG-FILE-NOT-FOUND"
    else:
        code = "QKG-UNREADABLE"
    return Finding(code, "syntax", "violation", msg, file, line, col=col)


def check_syntax(project: Project, paths: list[Path], documents: set[Path]) -> list[Finding]:
    """Stage 1: parse every Turtle file strictly; an empty document file is reported too."""
    from qkg.rdfio import FORMATS, check_syntax as strict, read_text

    out = []
    for path in paths:
        shown = project.relative(path)
        try:
            n = strict(read_text(path, shown), shown, FORMATS.get(path.suffix, "turtle"))
        except (InputError, RdfSyntaxError) as exc:
            out.append(_syntax_finding(exc))
            continue
        if n == 0 and path in documents:
            out.append(Finding("QKG-EMPTY-FILE", "syntax", "violation",
                               "the file holds no triples; encode the document's assertions or remove it", shown))
    return out


def _from_ox(term):
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


def _load(ctx: Context, pairs: list[tuple[str, Path]], use_build: bool) -> None:
    """Fill ``ctx`` with graphs, the closure and a store: from the build's store when
    the whole project is validated, else by parsing and reasoning in memory."""
    import json

    import pyoxigraph as ox
    import rdflib

    if use_build:
        from qkg.build import build, cached_store

        path = cached_store(ctx.project) or build(ctx.project).path
        store = ox.Store.read_only(str(path))
        errors = json.loads((path / "manifest.json").read_text()).get("errors", [])
        graphs: dict = {}
        for q in store.quads_for_pattern(None, None, None, None):
            g = graphs.setdefault(q.graph_name.value, rdflib.Graph(identifier=rdflib.URIRef(q.graph_name.value)))
            g.add((_from_ox(q.subject), _from_ox(q.predicate), _from_ox(q.object)))
        ctx.closure = (graphs.pop(INFERRED_GRAPH, rdflib.Graph()), errors, store)
        ctx.graphs = graphs
        return
    from qkg.graph import load_inputs

    inputs = load_inputs(ctx.project, files=pairs)
    ctx.graphs = inputs.graphs
    ctx.closure = lambda: _reason(ctx.project, inputs)


def _reason(project: Project, inputs) -> tuple:
    """The build's reasoning (closure, shortcut rules, date bounds) in memory."""
    import pyoxigraph as ox

    from qkg.build import reason, to_oxigraph
    from qkg.derive import load_rules

    inferred, errors = reason(inputs, "owlrl", load_rules(project.rule_files))
    store = ox.Store()
    store.bulk_extend(ox.Quad(*(to_oxigraph(t) for t in triple), ox.NamedNode(iri))
                      for iri, g in [*inputs.graphs.items(), (INFERRED_GRAPH, inferred)] for triple in g)
    return inferred, errors, store


# -- orchestration -----------------------------------------------------------------------


def validate_project(project: Project, files: list[Path] | None = None, fail_on: str = "violation",
                     stages: tuple[str, ...] = STAGES) -> Report:
    """Validate ``project``, or only the document ``files`` against its ontology,
    shapes and reference graph.

    :param fail_on: the lowest severity that fails the run (``violation``, ``warning``, ``info``).
    :return: a :class:`Report`; its ``exit_code`` is 0, 1 or 2.
    :raises UsageError: an unknown ``fail_on`` or stage.
    """
    if fail_on not in SEVERITIES:
        raise UsageError(f"unknown severity {fail_on!r}; choose one of {', '.join(SEVERITIES)}", "--fail-on")
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UsageError(f"unknown stage {unknown[0]!r}; choose from {', '.join(STAGES)}", "--stage")
    started = time.perf_counter()
    report = Report(fail_on=fail_on)
    files = [Path(f) for f in files] if files else None
    docs, missing = _documents(project, files)
    report.findings += [Finding("QKG-FILE-NOT-FOUND", "syntax", "violation", "file not found", project.relative(f))
                        for f in missing]
    pairs = _input_files(project, docs, files)
    if files is None:
        pairs = [(g, p) for g, p in pairs if p.exists()]
    extra = project.orphan_data_files() if files is None else []
    report.findings += check_syntax(project, [p for _, p in pairs] + project.shape_files + extra,
                                    {d.data for d in docs} | set(extra))
    report.stages.append("syntax")
    if report.fatal:
        report.seconds = time.perf_counter() - started
        return report
    ctx = Context(project, pairs, docs)
    ctx.whole = files is None
    complete = files is None and all(d.data.exists() for d in docs)
    rdflib_logger = logging.getLogger("rdflib")
    level = rdflib_logger.level
    rdflib_logger.setLevel(logging.CRITICAL)  # ill-typed literals are findings, not tracebacks
    try:
        try:
            _load(ctx, pairs, use_build=complete)
        except (InputError, RdfSyntaxError) as exc:
            report.findings.append(_syntax_finding(exc))
            return report
        ctx.scope = {g for g in ctx.graphs if g not in (ONTOLOGY_GRAPH,)}
        if files is not None:
            ctx.scope = {d.graph for d in docs}
        for stage in stages[1:] if stages[0] == "syntax" else stages:
            if stage == "syntax":
                continue
            report.findings += _run_stage(stage, ctx, extra, files is None)
            report.stages.append(stage)
    finally:
        rdflib_logger.setLevel(level)
        report.seconds = time.perf_counter() - started
    return report


def _run_stage(stage: str, ctx: Context, orphans: list[Path], whole: bool) -> list[Finding]:
    if stage == "vocabulary":
        from qkg import vocabulary

        return vocabulary.run(ctx)
    if stage == "ontology":
        from qkg import ontology_check

        return ontology_check.run(ctx)
    if stage == "shapes":
        return shapes_stage(ctx)
    if stage == "evidence":
        from qkg import evidence

        return evidence.run(ctx, orphans=orphans, whole=whole)
    if stage == "checks":
        from qkg import checks

        return checks.run(ctx)
    if stage == "reasoning":
        return reasoning_stage(ctx)
    from qkg import lint

    return lint.run(ctx.project) if whole else []


def reasoning_stage(ctx: Context) -> list[Finding]:
    """Stage 7: owlrl's error nodes (it never raises on an inconsistency), each placed
    at the first of our entities its message names."""
    from rdflib import URIRef

    from qkg.namespaces import ID

    out = []
    for error in ctx.errors:
        named = [URIRef(i) for i in re.findall(r"https?://[^\s,;)'\"]+", error) if i.startswith(ID)]
        focus = next((n for n in named if ctx.graph_of(n) is not None), None)
        out.append(ctx.finding("QKG-OWLRL-ERROR", "reasoning", "violation", f"OWL RL inconsistency: {error}",
                               focus=focus))
    return out


@contextlib.contextmanager
def prepared_sparql():
    """Parse each SPARQL text once while the block runs.

    pyshacl hands rdflib the same SPARQL-based constraint text for every focus node,
    and rdflib parses it each time (pyparsing: ~20 ms a parse, 5 of 7 s measured on
    the project). A translated query is reusable with other bindings (that is what
    ``prepareQuery`` is for), so the texts are translated once and reused.
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    cache: dict = {}

    def query(self, str_or_query, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(str_or_query, str):
            key = (str_or_query, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = processor.translateQuery(processor.parseQuery(str_or_query), base, initNs)
            str_or_query = cache[key]
        return original(self, str_or_query, initBindings or {}, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


def shapes_stage(ctx: Context) -> list[Finding]:
    """Stage 4: SHACL over the asserted graphs plus the build's closure."""
    from rdflib import BNode, URIRef

    from qkg.namespaces import shorten
    from qkg.shacl import load_shapes, run_shacl

    if not ctx.project.shape_files:
        return []
    data = ctx.union()
    with prepared_sparql():
        results = run_shacl(data, load_shapes(ctx.project.shape_files), None, inference=SHACL_INFERENCE)
    out = []
    for r in results:
        focus = BNode(r.focus[2:]) if r.focus.startswith("_:") else URIRef(r.focus)
        graph = ctx.graph_of(focus, r.path)
        if not ctx.whole and graph not in ctx.scope:
            continue
        sev = r.severity.lower()
        sev = sev if sev in SEVERITIES else "violation"
        code = "QKG-SHACL-" + r.component.replace("ConstraintComponent", "").upper()
        path = shorten(r.path) if r.path and not r.path.startswith("_:") else None
        msg = f"{path}: {r.message}" if path else r.message
        if r.shape and not r.shape.startswith("_:"):
            msg += f" (shape {r.shape.rsplit('#', 1)[-1].rsplit('/', 1)[-1]})"
        out.append(ctx.finding(code, "shapes", sev, msg, focus=focus, graph=graph, path=r.path))
    return out
