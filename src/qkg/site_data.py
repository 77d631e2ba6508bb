"""The site's view of the dataset: every quad of the store indexed once, in memory.

Pages are rendered from this snapshot, not from one SPARQL query per page, so the
whole site renders in well under a second. The snapshot also resolves evidence: each
``oa:Annotation`` with its body, the properties it supports and its quotes, and the
place of each quote in its source text (the first ``str.find`` of ``oa:exact``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qkg.namespaces import (GRAPH, ID, INFERRED_GRAPH, OA, ONTOLOGY, ONTOLOGY_GRAPH, OWL, QKG, RDF, RDFS,
                            SKOS)

LABELS = (RDFS + "label", SKOS + "prefLabel")
DEFINITIONS = (SKOS + "definition", RDFS + "comment")


@dataclass
class Quote:
    doc: str
    exact: str
    anchor: str | None = None  # "q-<offset>" in the document's text page


@dataclass
class Evidence:
    node: object
    bodies: list[str]
    supports: list[str]
    quotes: list[Quote]
    graph: str


@dataclass
class SourceText:
    doc: str
    source_id: str
    text: str | None
    marks: list[tuple[int, int]] = field(default_factory=list)


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            iri = iri.rstrip("/").rsplit(sep, 1)[-1]
    return iri


def graph_label(graph: str) -> str:
    """A short name for a named graph: its source id, or ``ontology`` etc."""
    return graph[len(GRAPH):] if graph.startswith(GRAPH) else graph


class SiteData:
    """Every quad of the store, indexed by subject and object, with labels, types and
    evidence resolved."""

    def __init__(self, quads, project=None):
        import pyoxigraph as ox

        self.ox = ox
        self.out: dict = defaultdict(list)  # subject term → [(predicate, object, graph)]
        self.inc: dict = defaultdict(list)  # object IRI → [(subject, predicate, graph)]
        self.graph_sizes: dict[str, int] = defaultdict(int)
        for q in quads:
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            self.out[q.subject].append((q.predicate.value, q.object, g))
            if isinstance(q.object, ox.NamedNode):
                self.inc[q.object.value].append((q.subject, q.predicate.value, g))
            self.graph_sizes[g] += 1
        self._labels: dict[str, str] = {}
        for s, facts in self.out.items():
            if isinstance(s, ox.NamedNode):
                best = sorted((_rank(o), o.value) for p, o, _ in facts if p in LABELS and isinstance(o, ox.Literal))
                if best:
                    self._labels[s.value] = best[0][1]
        self._memo: dict = {}
        self.evidence_of: dict[str, list[Evidence]] = defaultdict(list)
        self.texts: dict[str, SourceText] = {}
        self._load_texts(project)
        self._load_evidence()

    # -- basic lookups ---------------------------------------------------------------
    def node(self, iri: str):
        return self.ox.NamedNode(iri)

    def facts(self, iri: str) -> list[tuple[str, object, str]]:
        return self.out.get(self.node(iri), [])

    def label(self, iri: str) -> str:
        return self._labels.get(iri) or local_name(iri)

    def has_label(self, iri: str) -> bool:
        return iri in self._labels

    def values(self, iri: str, prop: str, asserted: bool = False) -> list:
        return [o for p, o, g in self.facts(iri) if p == prop and not (asserted and g == INFERRED_GRAPH)]

    def types(self, iri: str, asserted: bool = True) -> list[str]:
        return sorted({o.value for o in self.values(iri, RDF + "type", asserted)
                       if isinstance(o, self.ox.NamedNode)})

    def is_a(self, iri: str, cls: str) -> bool:
        return cls in self.types(iri, asserted=False)

    def entities(self) -> list[str]:
        """Every IRI under ``id/`` that is described or mentioned: each gets a page."""
        if "entities" not in self._memo:
            self._memo["entities"] = self._entities()
        return self._memo["entities"]

    def _entities(self) -> list[str]:
        found = {s.value for s in self.out if isinstance(s, self.ox.NamedNode) and s.value.startswith(ID)}
        found |= {o for o in self.inc if o.startswith(ID)}
        return sorted(found)

    def graphs(self) -> list[str]:
        return sorted(g for g in self.graph_sizes if g)

    def first_date(self, iri: str) -> str:
        """The normalized start day of an event (``qkg:earliestStart``), or ``""``."""
        days = sorted(o.value for o in self.values(iri, QKG + "earliestStart"))
        return days[0] if days else ""

    # -- ontology ------------------------------------------------------------------------
    def ontology_terms(self, kind: str) -> list[str]:
        """qkg classes (``class``) or properties (``property``) declared in the ontology."""
        if kind not in self._memo:
            self._memo[kind] = self._ontology_terms(kind)
        return self._memo[kind]

    def _ontology_terms(self, kind: str) -> list[str]:
        wanted = {"class": {OWL + "Class", RDFS + "Class"},
                  "property": {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                               RDF + "Property"}}[kind]
        out = set()
        for s, facts in self.out.items():
            if isinstance(s, self.ox.NamedNode) and s.value.startswith(QKG):
                if any(p == RDF + "type" and o.value in wanted and g == ONTOLOGY_GRAPH for p, o, g in facts):
                    out.add(s.value)
        return sorted(out)

    def instances(self, cls: str) -> list[str]:
        """IRIs typed ``cls``, directly or by inference."""
        return sorted({s.value for s, p, g in self.inc.get(cls, ())
                       if p == RDF + "type" and isinstance(s, self.ox.NamedNode)})

    def usage(self, prop: str) -> tuple[int, int]:
        """(asserted, inferred) statements using ``prop``."""
        asserted = inferred = 0
        for facts in self.out.values():
            for p, _, g in facts:
                if p == prop:
                    if g == INFERRED_GRAPH:
                        inferred += 1
                    else:
                        asserted += 1
        return asserted, inferred

    def is_ontology(self, iri: str) -> bool:
        return iri == ONTOLOGY or iri.startswith(QKG)

    # -- texts and evidence ----------------------------------------------------------------
    def _load_texts(self, project) -> None:
        for s, facts in self.out.items():
            sid = [o.value for p, o, _ in facts if p == QKG + "sourceId"]
            if not sid:
                continue
            text = None
            if project is not None:
                files = [o.value for p, o, _ in facts if p == QKG + "textFile"]
                path = project.data_dir / files[0] if files else project.sources_dir / f"{sid[0]}.txt"
                text = _read(path)
            self.texts[s.value] = SourceText(s.value, sid[0], text)

    def _load_evidence(self) -> None:
        ox = self.ox
        found: dict = {}
        for s, facts in self.out.items():
            if not any(p == RDF + "type" and o.value == OA + "Annotation" for p, o, _ in facts):
                continue
            bodies = sorted({o.value for p, o, _ in facts if p == OA + "hasBody" and isinstance(o, ox.NamedNode)})
            supports = sorted({o.value for p, o, _ in facts if p == QKG + "supports"})
            quotes = []
            for target in [o for p, o, _ in facts if p == OA + "hasTarget"]:
                tfacts = self.out.get(target, [])
                docs = [o.value for p, o, _ in tfacts if p == OA + "hasSource"]
                for sel in [o for p, o, _ in tfacts if p == OA + "hasSelector"]:
                    for p, o, _ in self.out.get(sel, []):
                        if p == OA + "exact" and docs:
                            quotes.append(Quote(docs[0], o.value, self._mark(docs[0], o.value)))
            quotes.sort(key=lambda q: (q.doc, q.anchor or "", q.exact))
            graph = facts[0][2]
            ev = Evidence(s, bodies, supports, quotes, graph)
            found[s] = ev
            for b in bodies:
                self.evidence_of[b].append(ev)
        for evs in self.evidence_of.values():
            evs.sort(key=lambda e: (e.supports, [q.exact for q in e.quotes]))

    def _mark(self, doc: str, exact: str) -> str | None:
        src = self.texts.get(doc)
        if src is None or src.text is None or not exact:
            return None
        start = src.text.find(exact)
        if start < 0:
            return None
        span = (start, start + len(exact))
        if span not in src.marks:
            src.marks.append(span)
        return f"q-{start}"


def _rank(lit) -> tuple:
    return ({"en": 0, None: 1}.get(lit.language, 2), lit.value)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def load(backend, project=None) -> SiteData:
    """A snapshot of every quad in the embedded store of ``backend``."""
    store = getattr(backend, "store", None)
    if store is None:
        from qkg.errors import UsageError

        raise UsageError("the site is rendered from the embedded store; drop --endpoint", "--endpoint")
    return SiteData((q for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g)), project)
