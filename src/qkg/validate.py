"""Validation: run every stage over the project (or some files) and collect findings.

Stages, in order: syntax, vocabulary, ontology, shapes, evidence, checks, reasoning,
queries. A syntax error stops the run (exit 2); every other stage reports. The
dataset the stages share is :class:`qkg.context.Context` (the build's, for the
whole project). The stages live in their own modules; this one holds the findings,
the syntax, shapes and reasoning stages, and the order of things.
"""
from __future__ import annotations

import contextlib
import logging
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qkg.errors import InputError, QkgError, RdfSyntaxError, UsageError
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
    #: seconds per stage, and ``load`` for reading (or building) the dataset
    timings: dict[str, float] = field(default_factory=dict)

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
            out.append(Finding("QKG-EMPTY-FILE", "syntax", "violation", EMPTY_MESSAGE, shown))
    return out


EMPTY_MESSAGE = "the file holds no triples; encode the document's assertions or remove it"


def _built_counts(built: Path | None) -> dict[str, int] | None:
    """Triples per asserted graph of the store at ``built``, or None when there is none
    (a stale or missing store is built later, by the load)."""
    import json

    return json.loads((built / "manifest.json").read_text())["graphs"] if built is not None else None


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
    from qkg.context import documents, input_files

    started = time.perf_counter()
    report = Report(fail_on=fail_on)
    files = [Path(f) for f in files] if files else None
    docs, missing = documents(project, files)
    report.findings += [Finding("QKG-FILE-NOT-FOUND", "syntax", "violation", "file not found", project.relative(f))
                        for f in missing]
    pairs = input_files(project, docs, files)
    if files is None:
        pairs = [(g, p) for g, p in pairs if p.exists()]
    extra = project.orphan_data_files() if files is None else []
    complete = files is None and all(d.data.exists() for d in docs)
    try:
        return _validate(project, report, stages, docs, pairs, extra, complete, files, started)
    finally:
        report.seconds = time.perf_counter() - started


def _validate(project, report, stages, docs, pairs, extra, complete, files, started) -> Report:
    from qkg.build import build, lookup
    from qkg.context import Context, load
    from qkg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH

    built, digests = lookup(project) if complete else (None, None)
    if complete and built is None:
        # The build parses every input file with the syntax stage's parser, so they are
        # not parsed again; when one is broken, the syntax stage below lists them all.
        with contextlib.suppress(InputError, RdfSyntaxError):
            built = build(project, digests=digests).path
        report.timings["load"] = time.perf_counter() - started
    counts = _built_counts(built)
    again = [p for _, p in pairs] if counts is None else []
    clock = time.perf_counter()
    report.findings += check_syntax(project, again + project.shape_files + extra, {d.data for d in docs} | set(extra))
    if counts is not None:
        report.findings += [Finding("QKG-EMPTY-FILE", "syntax", "violation", EMPTY_MESSAGE, project.relative(d.data))
                            for d in docs if not counts.get(d.graph)]
    report.stages.append("syntax")
    report.timings["syntax"] = time.perf_counter() - clock
    if report.fatal:
        return report
    ctx = Context(project, pairs, docs)
    ctx.whole = files is None
    rdflib_logger = logging.getLogger("rdflib")
    level = rdflib_logger.level
    rdflib_logger.setLevel(logging.CRITICAL)  # ill-typed literals are findings, not tracebacks
    try:
        clock = time.perf_counter()
        try:
            load(ctx, pairs, use_build=complete, built=built)
        except (InputError, RdfSyntaxError) as exc:
            report.findings.append(_syntax_finding(exc))
            return report
        report.timings["load"] = report.timings.get("load", 0.0) + time.perf_counter() - clock
        if files is None:
            ctx.scope = {g for g in ctx.graphs if g != ONTOLOGY_GRAPH}
        else:
            given = {f.resolve() for f in files}
            ctx.scope = {d.graph for d in docs} | ({REFERENCE_GRAPH} if project.reference_file.resolve() in given else set())
        names = [s for s in stages if s != "syntax"]
        found = _run_stages(names, ctx, extra, files is None, report.timings)
        for stage in names:
            report.findings += found[stage]
            report.stages.append(stage)
    finally:
        rdflib_logger.setLevel(level)
    return report


#: The stages after the load, longest first (measured at 1M triples): they start in
#: this order when they run side by side.
_LONGEST_FIRST = ("shapes", "checks", "vocabulary", "evidence", "ontology", "reasoning", "queries")


def _run_stages(names: list[str], ctx, orphans: list[Path], whole: bool, timings: dict) -> dict:
    """``stage → findings`` of the stages ``names``, run side by side.

    On a built store they are mostly SPARQL queries, which pyoxigraph evaluates without
    the GIL, and each stage's own queries leave a core idle at its end: side by side the
    stages of 1M triples take 14–15 s instead of 16.9 s (peak memory 675 MiB instead of
    374 MiB). The findings keep the order of :data:`STAGES`; an error raised by a stage
    is raised here, the first stage's first. ``QKG_THREADS=1`` runs them one by one.
    """
    from concurrent.futures import ThreadPoolExecutor

    from qkg.parallel import workers

    def run(stage: str) -> list[Finding]:
        clock = time.perf_counter()
        found = _run_stage(stage, ctx, orphans, whole)
        timings[stage] = time.perf_counter() - clock
        return found

    side_by_side = ctx.store_path is not None and workers() > 1 and len(names) > 1
    if not side_by_side:  # rdflib graphs in memory (some files): Python throughout
        return {stage: run(stage) for stage in names}
    with contextlib.suppress(KeyError):  # converted once, before the threads share the context
        ctx.ontology  # noqa: B018
    order = sorted(names, key=lambda s: _LONGEST_FIRST.index(s) if s in _LONGEST_FIRST else len(_LONGEST_FIRST))
    with ThreadPoolExecutor(max_workers=len(order), thread_name_prefix="qkg-stage") as pool:
        futures = {stage: pool.submit(run, stage) for stage in order}
    return {stage: futures[stage].result() for stage in names}


def _run_stage(stage: str, ctx, orphans: list[Path], whole: bool) -> list[Finding]:
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


def reasoning_stage(ctx) -> list[Finding]:
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


def shapes_stage(ctx) -> list[Finding]:
    """Stage 4: SHACL over the asserted graphs plus the build's closure.

    On the build's store (the whole project) the shapes run as SPARQL in pyoxigraph
    (:func:`qkg.fastvalidate.shacl_on_store`: pyshacl's results, 7x faster at 1M triples);
    for some files, pyshacl runs on the graphs parsed in memory.
    """
    from rdflib import BNode, URIRef

    from qkg.namespaces import shorten
    from qkg.shacl import load_shapes, run_shacl

    if not ctx.project.shape_files:
        return []
    shapes = load_shapes(ctx.project.shape_files)
    if ctx.store_path is not None:
        from qkg.fastvalidate import shacl_on_store

        results = shacl_on_store(ctx.store_path, shapes)
    else:
        with prepared_sparql():
            results = run_shacl(ctx.union(), shapes, None, inference=SHACL_INFERENCE)
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
