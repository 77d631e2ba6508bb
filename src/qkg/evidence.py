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

import functools
import hashlib
from pathlib import Path
from string import Template

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


#: Joins the quotes of one source in _QUOTED (`\u001f` there); a quote holding it is checked alone.
_SEP = "\u001f"
_PREFIXES = {"oa": OA, "qkg": QKG, "rdf": RDF}

# The document graphs are read from ``ctx.quads`` (never as rdflib graphs: 30 s at 1M
# triples) by the queries below, over the named graphs but ``$others`` (those that are
# no documents). Each returns only the rows that may hold a problem, except _QUOTED, which
# hands every quote to Python for the substring test. Patterns are joined as one-pattern
# subqueries and excluded with MINUS: pyoxigraph 0.5 then hashes them, where it evaluates
# a join or NOT EXISTS of patterns row by row, 2-3 times slower at 1M triples.

#: The quotes of each source, by graph.
_QUOTED = Template("""SELECT ?g ?source (GROUP_CONCAT(?exact; separator="\\u001f") AS ?exacts) (COUNT(?exact) AS ?n) {
  { SELECT ?g ?target ?source { GRAPH ?g { ?target oa:hasSource ?source } } }
  { SELECT ?g ?target ?exact {
      { SELECT ?g ?target ?sel { GRAPH ?g { ?target oa:hasSelector ?sel } } }
      { SELECT ?g ?sel ?exact { GRAPH ?g { ?sel oa:exact ?exact } } } } }
  MINUS { VALUES ?g { $others } }
} GROUP BY ?g ?source""")

#: Annotation targets without a source.
_UNSOURCED = Template("""SELECT ?g ?ann ?target {
  { SELECT ?g ?ann ?target { GRAPH ?g { ?ann oa:hasTarget ?target } } }
  MINUS { GRAPH ?g { ?target oa:hasSource ?source } }
  MINUS { VALUES ?g { $others } }
}""")

#: Selectors with more to check than their quote.
_FRAMED = Template("""SELECT ?g ?sel {
  GRAPH ?g { ?sel oa:prefix|oa:suffix|oa:start|oa:end ?v }
  MINUS { VALUES ?g { $others } }
}""")

#: Nodes of a class requiring evidence that no annotation of their graph is about.
_BARE = Template("""SELECT ?g ?node ?cls {
  VALUES ?cls { $classes }
  GRAPH ?g { ?node rdf:type ?cls }
  MINUS { GRAPH ?g { ?ann oa:hasBody ?node } }
  MINUS { VALUES ?g { $others } }
}""")

#: Statements of a property requiring evidence that no annotation about their subject
#: supports, on subjects that are not annotations themselves.
_UNSUPPORTED = Template("""SELECT ?g ?s ?p ?o {
  { SELECT ?g ?s ?p ?o { VALUES ?p { $props } GRAPH ?g { ?s ?p ?o } } }
  MINUS { VALUES ?g { $others } }
  MINUS { SELECT ?g ?s ?p {
      { SELECT ?g ?ann ?s { GRAPH ?g { ?ann oa:hasBody ?s } } }
      { SELECT ?g ?ann ?p { GRAPH ?g { ?ann qkg:supports ?p } } } } }
  MINUS { GRAPH ?g { ?s oa:hasBody ?body } }
}""")


class _Graphs:
    """The document graphs of ``ctx.quads``: queried all at once, or looked up one by one."""

    def __init__(self, ctx):
        import pyoxigraph as ox

        self.ox, self.store = ox, ctx.quads
        self.docs = {d.graph for d in ctx.documents}
        self.others = " ".join(str(g) for g in self.store.named_graphs()
                               if isinstance(g, ox.NamedNode) and g.value not in self.docs)

    def select(self, query: str) -> list[tuple]:
        """The rows of ``query`` (its first variable the graph) in the document graphs."""
        return [(row[0].value, *tuple(row)[1:]) for row in self.store.query(query, prefixes=_PREFIXES)
                if row[0].value in self.docs]

    def quads(self, s, p: str, o, g: str):
        """The statements of graph ``g`` matching ``s p o`` (pyoxigraph terms or None), in the store's order."""
        if isinstance(s, self.ox.Literal):
            return iter(())
        return self.store.quads_for_pattern(s, self.ox.NamedNode(p), o, self.ox.NamedNode(g))

    def value(self, s, p: str, g: str):
        """One value of ``p`` for ``s`` in ``g``: the first in the store's order, the one rdflib's
        ``Graph.value`` gives on a graph read from the store."""
        return next((q.object for q in self.quads(s, p, None, g)), None)

    def node(self, iri: str):
        try:
            return self.ox.NamedNode(iri)
        except ValueError:  # an IRI the store cannot hold
            return None

    def iris(self, iris: set[str]) -> str:
        return " ".join(str(n) for n in map(self.node, sorted(iris)) if n is not None)


class _Texts:
    """Source texts by document IRI, read once."""

    def __init__(self, ctx, graphs: _Graphs):
        self.paths: dict[str, Path] = {d.doc: d.text for d in ctx.documents if d.text is not None}
        #: documents whose missing text the files check already reported
        self.missing = {d.doc for d in ctx.documents if d.text is None or not d.text.exists()}
        for q in graphs.quads(None, QKG + "textFile", None, SOURCES_GRAPH):
            self.paths.setdefault(q.subject.value, ctx.project.data_dir / q.object.value)
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
    from qkg.parallel import map_threads

    graphs = _Graphs(ctx)
    out = _files(ctx, graphs, orphans, whole)
    texts = _Texts(ctx, graphs)
    terms = {"others": graphs.others,
             "classes": graphs.iris(marked(ctx.ontology, "requiresEvidence", RDFS + "subClassOf")),
             "props": graphs.iris(marked(ctx.ontology, "requiresEvidence", RDFS + "subPropertyOf"))}
    queries = (_QUOTED, _UNSOURCED, _FRAMED, _BARE, _UNSUPPORTED)
    rows = map_threads(graphs.select, [q.substitute(terms) for q in queries])  # pyoxigraph releases the GIL
    quotes, required = _quotes(ctx, graphs, texts, *rows[:3]), _required(ctx, graphs, *rows[3:])
    for d in ctx.documents:
        out += quotes.get(d.graph, []) + required.get(d.graph, [])
    return out


def _files(ctx, graphs: _Graphs, orphans, whole: bool) -> list:
    out = []
    rel = ctx.project.relative
    for path in orphans:
        out.append(ctx.finding("QKG-MISSING-METADATA", "evidence", "violation",
                               f"no metadata file data/sources/{path.stem}.meta.ttl for this data file; "
                               f"run 'qkg new-source' or remove it", file=rel(path)))
    referenced = []
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
        referenced.append(d.text)
        doc = graphs.node(d.doc)
        expected = graphs.value(doc, QKG + "sha256", SOURCES_GRAPH) if doc is not None else None
        if expected is not None:
            actual = hashlib.sha256(d.text.read_bytes()).hexdigest()
            if actual != expected.value.lower():
                file, line = (ctx.locator.term(QKG + "sha256", SOURCES_GRAPH) if d.meta is None else
                              (rel(d.meta), ctx.locator.scan(d.meta).terms.get(QKG + "sha256")))
                out.append(ctx.finding("QKG-SHA256-MISMATCH", "evidence", "violation",
                                       f"{rel(d.text)} has SHA-256 {actual[:12]}…, the metadata says "
                                       f"{expected.value[:12]}…; the text changed: restore it, or re-check every "
                                       f"quote and update qkg:sha256", file=file, line=line))
    if whole:
        lonely = [t for t in sorted(ctx.project.sources_dir.glob("*.txt")) if not t.with_suffix(".meta.ttl").exists()]
        known = {t.resolve() for t in referenced} if lonely else set()  # resolving all takes 0.1 s at 1M
        for txt in lonely:
            if txt.resolve() not in known:
                out.append(ctx.finding("QKG-ORPHAN-TEXT", "evidence", "warning",
                                       "source text without metadata; run 'qkg new-source' for it", file=rel(txt)))
    return out


def _quotes(ctx, graphs: _Graphs, texts: _Texts, quoted, unsourced, framed) -> dict[str, list]:
    """Quote findings by graph: the annotation targets that may fail, found in bulk, checked one by one."""
    suspects = set(unsourced)
    targets = set()
    for g, source, exacts, n in quoted:
        text = texts.get(source.value)
        if text is None and source.value in texts.missing:
            continue  # the files check reported it; a target with this source has nothing to check
        parts = exacts.value.split(_SEP) if exacts is not None else []
        if text is None or len(parts) != int(n.value) or not all(part in text for part in parts):
            targets.update((g, q.subject) for q in graphs.quads(None, OA + "hasSource", source, g))
    for g, sel in framed:
        targets.update((g, q.subject) for q in graphs.quads(None, OA + "hasSelector", sel, g))
    for g, target in targets:
        suspects.update((g, q.subject, target) for q in graphs.quads(None, OA + "hasTarget", target, g))
    out: dict[str, list] = {}
    for g, _, target in sorted(suspects, key=lambda t: (t[0], t[1].value, t[2].value)):
        out.setdefault(g, []).extend(_target(ctx, graphs, g, target, texts))
    return out


def _target(ctx, graphs: _Graphs, g: str, target, texts: _Texts) -> list:
    """The findings on one annotation target of graph ``g``."""
    from qkg.context import from_ox

    def one(node, p):
        return graphs.value(node, OA + p, g)

    def finding(code, message, node):
        return ctx.finding(code, "evidence", "violation", message, focus=from_ox(node), graph=g)

    source = one(target, "hasSource")
    if source is None:
        return [finding("QKG-EVIDENCE-NO-SOURCE", "annotation target without oa:hasSource", target)]
    text = texts.get(source.value)
    selectors = [q.object for q in graphs.quads(target, OA + "hasSelector", None, g)]
    quotes = [s for s in selectors if one(s, "exact") is not None]
    if text is None:
        if quotes and source.value not in texts.missing:
            return [finding("QKG-UNKNOWN-SOURCE", f"no source text known for {shorten(source.value)}; "
                                                  f"quotes cannot be checked", quotes[0])]
        return []
    out, exact = [], None
    for sel in quotes:
        exact = one(sel, "exact").value
        prefix, suffix = (getattr(one(sel, p), "value", "") for p in ("prefix", "suffix"))
        if exact not in text:
            hint = (" (it occurs with different quotes, dashes, markup or spacing)"
                    if _loose(exact) in _loose(text) else "")
            out.append(finding("QKG-QUOTE-NOT-FOUND", f"quote not in the source text{hint}: \"{_short(exact)}\"", sel))
        elif prefix + exact + suffix not in text:
            out.append(finding("QKG-QUOTE-CONTEXT", f"oa:prefix/oa:suffix do not surround the quote "
                                                    f"\"{_short(exact)}\"", sel))
    for sel in selectors:  # positions are checked against the last quote
        start, end = one(sel, "start"), one(sel, "end")
        if start is None or end is None:
            continue
        try:
            a, b = int(start.value), int(end.value)
        except ValueError:
            a, b = -1, -1
        if not (0 <= a <= b <= len(text) and (exact is None or text[a:b] == exact)):
            found = text.find(exact) if exact else -1
            fix = f"; the quote is at {found}-{found + len(exact)}" if found >= 0 else ""
            out.append(finding("QKG-POSITION-MISMATCH",
                               f"oa:start {start.value} / oa:end {end.value} do not point at the quote{fix}", sel))
    return out


def _required(ctx, graphs: _Graphs, bare, unsupported) -> dict[str, list]:
    """Required-evidence findings by graph: bare nodes first, then unsupported statements."""
    from qkg.context import from_ox

    classes: dict = {}  # (graph, bare node) → its first class requiring evidence
    for g, node, cls in bare:
        if (g, node) not in classes or cls.value < classes[g, node].value:
            classes[g, node] = cls
    out: dict[str, list] = {}
    for (g, node), cls in sorted(classes.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
        focus = from_ox(node)
        out.setdefault(g, []).append(ctx.finding(
            "QKG-EVIDENCE-MISSING", "evidence", "violation", f"{shorten(cls.value)} without evidence: add an "
            f"oa:Annotation with oa:hasBody {_name(focus)} quoting the source", focus=focus, graph=g))
    @functools.cache
    def annotated(g: str, node) -> bool:
        return any(graphs.quads(None, OA + "hasBody", node, g))

    objects: dict = {}  # (graph, node, property) → the first object: one finding per node and property
    for g, s, p, o in unsupported:
        if (g, s) in classes:
            continue  # one finding per bare node, not one more per property
        if isinstance(s, graphs.ox.BlankNode) and not annotated(g, s):
            continue  # a nested node is covered by its owner's annotation
        if (g, s, p) not in objects or o.value < objects[g, s, p].value:
            objects[g, s, p] = o
    for (g, s, p), o in sorted(objects.items(), key=lambda kv: (kv[0][0], kv[0][1].value, kv[0][2].value)):
        focus, prop = from_ox(s), shorten(p.value)
        out.setdefault(g, []).append(ctx.finding(
            "QKG-STATEMENT-EVIDENCE-MISSING", "evidence", "violation", f"{prop} {_value(from_ox(o))} has no "
            f"evidence: add qkg:supports {prop} to an annotation of {_name(focus)}", focus=focus, graph=g,
            path=p.value))
    return out


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _name(node) -> str:
    from rdflib import URIRef

    return shorten(str(node)) if isinstance(node, URIRef) else "the node"


def _value(o) -> str:
    from rdflib import Literal

    return f"\"{_short(str(o), 40)}\"" if isinstance(o, Literal) else _name(o)
