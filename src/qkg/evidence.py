"""Evidence: every fact-bearing node and statement is supported by a verbatim quote.

Follows docs/modeling.md ("Evidence"), built on Web Annotation (W3C Web Annotation
Data Model, sections 3.2 and 4.2.4 TextQuoteSelector, 4.2.5 TextPositionSelector):

- each ``oa:exact`` occurs verbatim in the text of its ``oa:hasSource`` document
  (with ``oa:prefix``/``oa:suffix`` around it when given);
- a ``TextPositionSelector`` beside a quote points at that quote (Python ``str``
  offsets, as in docs/modeling.md);
- each node of a class marked ``qkg:requiresEvidence`` (or of a subclass) has an
  annotation in the same named graph, and each statement of a property so marked (or
  of a sub-property) an annotation naming that property with ``qkg:supports``;
- each source text matches the SHA-256 in its metadata, and data, metadata and text
  files come in threes.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from qkg.namespaces import OA, QKG, RDF, RDFS, SOURCES_GRAPH, shorten

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def _loose(text: str) -> str:
    return " ".join(text.translate(_QUOTES).replace("*", "").split()).lower()


def marked(ontology, prop: str, parent: str) -> set[str]:
    """Terms marked ``qkg:requiresEvidence true``, with their sub-classes or sub-properties
    (``parent`` is ``rdfs:subClassOf`` or ``rdfs:subPropertyOf``), transitively."""
    from rdflib import Literal, URIRef

    found = {str(s) for s, o in ontology.subject_objects(URIRef(QKG + prop))
             if isinstance(o, Literal) and o.toPython() is True}
    children: dict = {}
    for s, o in ontology.subject_objects(URIRef(parent)):
        children.setdefault(str(o), set()).add(str(s))
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class _Texts:
    """Source texts by document IRI, read once."""

    def __init__(self, ctx):
        from rdflib import URIRef

        self.paths: dict[str, Path] = {d.doc: d.text for d in ctx.documents if d.text is not None}
        #: documents whose missing text the files check already reported
        self.missing = {d.doc for d in ctx.documents if d.text is None or not d.text.exists()}
        meta = ctx.graphs.get(SOURCES_GRAPH)
        if meta is not None:
            for doc, rel in meta.subject_objects(URIRef(QKG + "textFile")):
                self.paths.setdefault(str(doc), ctx.project.data_dir / str(rel))
        self._cache: dict[str, str | None] = {}

    def get(self, doc: str) -> str | None:
        if doc not in self._cache:
            path = self.paths.get(doc)
            try:
                self._cache[doc] = path.read_text(encoding="utf-8") if path else None
            except (OSError, UnicodeDecodeError):
                self._cache[doc] = None
        return self._cache[doc]


def run(ctx, orphans: list[Path] = (), whole: bool = True) -> list:
    """Stage 5: files, digests, quotes and required evidence."""
    out = _files(ctx, orphans, whole)
    texts = _Texts(ctx)
    req_classes = marked(ctx.ontology, "requiresEvidence", RDFS + "subClassOf")
    req_props = marked(ctx.ontology, "requiresEvidence", RDFS + "subPropertyOf")
    for d in ctx.documents:
        g = ctx.graphs.get(d.graph)
        if g is not None:
            out += _quotes(ctx, d.graph, g, texts)
            out += _required(ctx, d.graph, g, req_classes, req_props)
    return out


def _files(ctx, orphans, whole: bool) -> list:
    from rdflib import URIRef

    out = []
    rel = ctx.project.relative
    meta_graph = ctx.graphs.get(SOURCES_GRAPH)
    for path in orphans:
        out.append(ctx.finding("QKG-MISSING-METADATA", "evidence", "violation",
                               f"no metadata file data/sources/{path.stem}.meta.ttl for this data file; "
                               f"run 'qkg new-source' or remove it", file=rel(path)))
    referenced = set()
    for d in ctx.documents:
        if d.meta is None:
            out.append(ctx.finding("QKG-MISSING-METADATA", "evidence", "warning" if not whole else "violation",
                                   f"no metadata file data/sources/{d.data.stem}.meta.ttl yet; validated as its "
                                   f"own graph; run 'qkg new-source' before committing", file=rel(d.data)))
        if not d.data.exists():
            out.append(ctx.finding("QKG-MISSING-DATA", "evidence", "violation",
                                   f"metadata without its data file {rel(d.data)}; encode the document there",
                                   file=rel(d.meta) if d.meta else None))
        if d.text is None or not d.text.exists():
            shown = rel(d.text) if d.text else f"data/sources/{d.data.stem}.txt"
            out.append(ctx.finding("QKG-MISSING-TEXT", "evidence", "violation",
                                   f"source text {shown} not found, so quotes cannot be checked; add the text file",
                                   file=rel(d.meta or d.data)))
            continue
        referenced.add(d.text.resolve())
        expected = meta_graph.value(URIRef(d.doc), URIRef(QKG + "sha256")) if meta_graph is not None else None
        if expected is not None:
            actual = hashlib.sha256(d.text.read_bytes()).hexdigest()
            if actual != str(expected).lower():
                file, line = (ctx.locator.term(QKG + "sha256", SOURCES_GRAPH) if d.meta is None else
                              (rel(d.meta), ctx.locator.scan(d.meta).terms.get(QKG + "sha256")))
                out.append(ctx.finding("QKG-SHA256-MISMATCH", "evidence", "violation",
                                       f"{rel(d.text)} has SHA-256 {actual[:12]}…, the metadata says "
                                       f"{str(expected)[:12]}…; the text changed: restore it, or re-check every "
                                       f"quote and update qkg:sha256", file=file, line=line))
    if whole:
        for txt in sorted(ctx.project.sources_dir.glob("*.txt")):
            if txt.resolve() not in referenced and not (ctx.project.sources_dir / f"{txt.stem}.meta.ttl").exists():
                out.append(ctx.finding("QKG-ORPHAN-TEXT", "evidence", "warning",
                                       "source text without metadata; run 'qkg new-source' for it", file=rel(txt)))
    return out


def _quotes(ctx, graph_iri: str, g, texts: _Texts) -> list:
    from rdflib import URIRef

    def one(node, p):
        return g.value(node, URIRef(OA + p))

    out = []
    for ann, target in sorted(g.subject_objects(URIRef(OA + "hasTarget")), key=lambda t: (str(t[0]), str(t[1]))):
        source = one(target, "hasSource")
        if source is None:
            out.append(ctx.finding("QKG-EVIDENCE-NO-SOURCE", "evidence", "violation",
                                   "annotation target without oa:hasSource", focus=target, graph=graph_iri))
            continue
        text = texts.get(str(source))
        selectors = list(g.objects(target, URIRef(OA + "hasSelector")))
        quotes = [s for s in selectors if one(s, "exact") is not None]
        if text is None:
            if quotes and str(source) not in texts.missing:
                out.append(ctx.finding("QKG-UNKNOWN-SOURCE", "evidence", "violation",
                                       f"no source text known for {shorten(str(source))}; quotes cannot be checked",
                                       focus=quotes[0], graph=graph_iri))
            continue
        exact = None
        for sel in quotes:
            exact = str(one(sel, "exact"))
            prefix, suffix = str(one(sel, "prefix") or ""), str(one(sel, "suffix") or "")
            if exact not in text:
                hint = (" (it occurs with different quotes, dashes, markup or spacing)"
                        if _loose(exact) in _loose(text) else "")
                out.append(ctx.finding("QKG-QUOTE-NOT-FOUND", "evidence", "violation",
                                       f"quote not in the source text{hint}: \"{_short(exact)}\"",
                                       focus=sel, graph=graph_iri))
            elif prefix + exact + suffix not in text:
                out.append(ctx.finding("QKG-QUOTE-CONTEXT", "evidence", "violation",
                                       f"oa:prefix/oa:suffix do not surround the quote \"{_short(exact)}\"",
                                       focus=sel, graph=graph_iri))
        for sel in selectors:
            start, end = one(sel, "start"), one(sel, "end")
            if start is None or end is None:
                continue
            try:
                a, b = int(start), int(end)
            except ValueError:
                a, b = -1, -1
            ok = 0 <= a <= b <= len(text) and (exact is None or text[a:b] == exact)
            if not ok:
                found = text.find(exact) if exact else -1
                fix = f"; the quote is at {found}-{found + len(exact)}" if found >= 0 else ""
                out.append(ctx.finding("QKG-POSITION-MISMATCH", "evidence", "violation",
                                       f"oa:start {start} / oa:end {end} do not point at the quote{fix}",
                                       focus=sel, graph=graph_iri))
    return out


def _required(ctx, graph_iri: str, g, req_classes: set[str], req_props: set[str]) -> list:
    from rdflib import BNode, URIRef

    supported: dict = {}
    for ann, body in g.subject_objects(URIRef(OA + "hasBody")):
        props = supported.setdefault(body, set())
        props.add(None)  # the node as a whole
        props.update(str(p) for p in g.objects(ann, URIRef(QKG + "supports")))
    annotations = set(g.subjects(URIRef(OA + "hasBody"), None))
    out, bare = [], set()
    for node, cls in sorted(g.subject_objects(URIRef(RDF + "type")), key=lambda t: (str(t[0]), str(t[1]))):
        if str(cls) in req_classes and node not in supported and node not in bare:
            out.append(ctx.finding("QKG-EVIDENCE-MISSING", "evidence", "violation",
                                   f"{shorten(str(cls))} without evidence: add an oa:Annotation with "
                                   f"oa:hasBody {_name(node)} quoting the source", focus=node, graph=graph_iri))
            bare.add(node)  # one finding per node, not one more per property
    for s, p, o in sorted(g, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if str(p) in req_props and s not in annotations and s not in bare and str(p) not in supported.get(s, ()):
            if isinstance(s, BNode) and s not in supported:
                continue  # a nested node is covered by its owner's annotation
            out.append(ctx.finding("QKG-STATEMENT-EVIDENCE-MISSING", "evidence", "violation",
                                   f"{shorten(str(p))} {_value(o)} has no evidence: add qkg:supports "
                                   f"{shorten(str(p))} to an annotation of {_name(s)}", focus=s,
                                   graph=graph_iri, path=str(p)))
            supported.setdefault(s, set()).add(str(p))  # one finding per (node, property)
    return out


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _name(node) -> str:
    from rdflib import URIRef

    return shorten(str(node)) if isinstance(node, URIRef) else "the node"


def _value(o) -> str:
    from rdflib import Literal

    return f"\"{_short(str(o), 40)}\"" if isinstance(o, Literal) else _name(o)
