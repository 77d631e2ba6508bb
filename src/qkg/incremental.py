"""Incremental fast builds: change one document, re-parse one named graph.

The previous fast build's store is copied (a RocksDB checkpoint: hard links, no data
written), the changed named graphs are replaced in the copy, and ``graph/inferred`` is
maintained in place instead of rebuilt. This works because, with the schema fixed,
what the fast reasoner infers splits into (:func:`qkg.fastreason.local_closure`):

* per-triple derivations: sub-class, sub-property, inverse, symmetric, domain and
  range each derive from one triple. A triple that leaves the data takes its
  derivations along unless another triple still supports them; a new triple brings
  its own. Support is checked with a few index lookups per candidate.
* multi-premise conclusions (transitivity, the shortcut rules), few and cheap to
  recompute from the store; the previous set is kept next to the store
  (``global.nt``) and the difference is applied, with their per-triple derivations.
* date bounds and inconsistency errors, recomputed and replaced.

Anything this cannot follow falls back to a full build: a changed ontology or rule
file, schema statements in a changed document, or a shortcut rule that reads what
another rule or transitivity derives.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

from qkg.namespaces import INFERRED_GRAPH, QKG, RDF

GLOBAL_FILE = "global.nt"
_IRI = re.compile(r"<([^<>\s]*)>|(?<![\w?$])([A-Za-z][\w-]*)?:([\w-]*)")
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.I)


def previous_build(project, default_graph: str = "empty") -> tuple[Path, dict] | None:
    """The newest fast build of ``project`` in the cache that recorded its inputs (with
    the same kind of default graph)."""
    stores = project.cache_dir / "stores"
    found = []
    for manifest in stores.glob("*/manifest.json") if stores.is_dir() else []:
        try:
            data = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
        if (data.get("reasoner") == "fast" and data.get("root") == str(project.root)
                and data.get("default_graph", "empty") == default_graph
                and data.get("graph_files") and (manifest.parent / GLOBAL_FILE).is_file()):
            found.append((manifest.stat().st_mtime, manifest.parent, data))
    return max(found, key=lambda f: f[0])[1:] if found else None


def iris(text: str) -> set[str]:
    """Every IRI written in a SPARQL text (prefixed names expanded), comments and strings aside."""
    text = re.sub(r'"[^"\n]*"|\'[^\'\n]*\'|#[^\n<>]*$', " ", text, flags=re.M)
    prefixes = {p or "": ns for p, ns in _PREFIX.findall(text)}
    body = _PREFIX.sub(" ", text)
    out = set()
    for full, prefix, local in _IRI.findall(body):
        if full:
            out.add(full)
        elif (prefix or "") in prefixes:
            out.add(prefixes[prefix or ""] + local)
    return out


def stratified(tb, rules) -> bool:
    """True when no shortcut rule reads what a shortcut rule or transitivity derives
    (so the rules can be re-run over the store as it is, stale conclusions and all)."""
    produced = set(tb.transitive)
    for rule in rules:
        m = re.search(r"CONSTRUCT\s*\{(.*?)\}\s*WHERE", rule.text, re.S | re.I)
        if not m:
            return False
        prologue = rule.text[: m.start()]
        produced |= iris(prologue + m.group(1)) - iris(prologue)
    predicates = produced | {q for p in produced for q, _ in tb.implies.get(p, ())}
    derived = predicates | {c for p in predicates for c in tb.domains.get(p, set()) | tb.ranges.get(p, set())}
    feeds_transitive = {p for p, pairs in tb.implies.items() if any(q in tb.transitive for q, _ in pairs)}
    if (predicates - tb.transitive) & (tb.transitive | feeds_transitive):
        return False
    for rule in rules:
        m = re.search(r"\bWHERE\b(.*)$", rule.text, re.S | re.I)
        prologue = rule.text[: rule.text.upper().find("CONSTRUCT")]
        if m is None or iris(prologue + m.group(1)) & derived:
            return False
    return True


class Maintainer:
    """Keeps ``graph/inferred`` of a store equal to the closure while triples come and go."""

    def __init__(self, store, tb, global_triples: set):
        import pyoxigraph as ox

        self.store, self.tb, self.global_triples = store, tb, global_triples
        self.inferred = ox.NamedNode(INFERRED_GRAPH)
        self.type = ox.NamedNode(RDF + "type")
        self.tbox = {(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in tb.triples}
        self.sub_of: dict[str, set[str]] = {}
        for c, ds in tb.supers.items():
            for d in ds:
                self.sub_of.setdefault(d, set()).add(c)
        self.implied_by: dict[str, set[tuple[str, bool]]] = {}
        self.by_subject: dict[str, set[str]] = {}  # class → predicates whose statements type their subject with it
        self.by_object: dict[str, set[str]] = {}
        for p in set(tb.implies) | set(tb.domains) | set(tb.ranges):
            pairs = {(p, False)} | tb.implies.get(p, set())
            for q, rev in pairs:
                if (q, rev) != (p, False):
                    self.implied_by.setdefault(q, set()).add((p, rev))
                for c in tb.domains.get(q, ()):
                    (self.by_object if rev else self.by_subject).setdefault(c, set()).add(p)
                for c in tb.ranges.get(q, ()):
                    (self.by_subject if rev else self.by_object).setdefault(c, set()).add(p)
        self.added = self.removed = 0
        self.touched: set = set()  # triples whose presence in graph/inferred may have changed

    def asserted(self, t, skip=()) -> bool:
        """``t`` is in an asserted named graph (not ``skip``; the default graph, if it
        holds the merge, is no source)."""
        import pyoxigraph as ox

        return any(q.graph_name != self.inferred and q.graph_name not in skip
                   and not isinstance(q.graph_name, ox.DefaultGraph) for q in self.store.quads_for_pattern(*t))

    def present(self, t) -> bool:
        import pyoxigraph as ox

        return any(not isinstance(q.graph_name, ox.DefaultGraph) for q in self.store.quads_for_pattern(*t))

    def _base(self, s, p, o) -> bool:
        """Some asserted or multi-premise triple matches ``(s, p, o)`` (None = any)."""
        import pyoxigraph as ox

        for q in self.store.quads_for_pattern(s, p, o):
            if isinstance(q.graph_name, ox.DefaultGraph):
                continue
            if q.graph_name != self.inferred or (q.subject, q.predicate, q.object) in self.global_triples:
                return True
        return False

    def supported(self, t) -> bool:
        """``t`` is in the closure: asserted, multi-premise, schema, or derived from one such triple."""
        import pyoxigraph as ox

        s, p, o = t
        if t in self.global_triples or t in self.tbox or self.asserted(t):
            return True
        if p == self.type and isinstance(o, ox.NamedNode):
            return (any(self._base(s, self.type, ox.NamedNode(c)) for c in self.sub_of.get(o.value, ()))
                    or any(self._base(s, ox.NamedNode(q), None) for q in self.by_subject.get(o.value, ()))
                    or any(self._base(None, ox.NamedNode(q), s) for q in self.by_object.get(o.value, ())))
        return any(self._base(o, ox.NamedNode(q), s) if rev else self._base(s, ox.NamedNode(q), o)
                   for q, rev in self.implied_by.get(p.value, ()))

    def insert(self, triples) -> None:
        import pyoxigraph as ox

        new = [ox.Quad(*t, self.inferred) for t in triples if not self.present(t)]
        self.store.extend(new)
        self.added += len(new)
        self.touched.update(q.triple for q in new)

    def recheck(self, triples) -> None:
        """Put each triple in or out of ``graph/inferred`` as the closure now says."""
        import pyoxigraph as ox

        missing = []
        for t in triples:
            quad = ox.Quad(*t, self.inferred)
            held = quad in self.store
            keep = not self.asserted(t) and self.supported(t)
            if held and not keep:
                self.store.remove(quad)
                self.removed += 1
                self.touched.add(t)
            elif keep and not held:
                missing.append(quad)
        self.store.extend(missing)
        self.added += len(missing)
        self.touched.update(q.triple for q in missing)

    def closure_of(self, triples) -> set:
        from qkg.fastreason import local_closure

        out = set()
        for t in triples:
            out |= local_closure(self.tb, *t)
        return out


def _transitive(m: Maintainer) -> set:
    """Conclusions of transitivity, recomputed from the base edges: asserted, or derived
    by the per-triple rules from an asserted triple (never from an old conclusion)."""
    import pyoxigraph as ox

    from qkg.fastreason import _REFLEXIVE, _TRIVIAL, _subject_ok

    props = {ox.NamedNode(p) for p in m.tb.transitive}
    edges = {(q.subject, q.predicate, q.object) for p in props for q in m.store.quads_for_pattern(None, p, None)
             if not isinstance(q.graph_name, ox.DefaultGraph)}
    saved, m.global_triples = m.global_triples, set()
    try:
        edges = {t for t in edges if m.asserted(t) or m.supported(t)}
    finally:
        m.global_triples = saved
    out: set = set()
    while True:  # an inverse or symmetric statement of a conclusion can be a new edge
        nxt: dict = {}
        for s, p, o in edges | out:
            nxt.setdefault((p, s), set()).add(o)
        found = set()
        for (p, start), ends in nxt.items():
            seen, todo = set(), list(ends)
            while todo:
                n = todo.pop()
                if n not in seen:
                    seen.add(n)
                    todo.extend(nxt.get((p, n), ()))
            found |= {(start, p, end) for end in seen
                      if _subject_ok(start) and not (isinstance(end, ox.NamedNode) and end.value in _TRIVIAL)
                      and not (p.value in _REFLEXIVE and start == end)}
        found -= edges
        more = {t for t in m.closure_of(found) if t[1] in props} - edges - found
        if found <= out and not more:
            return out
        out |= found
        edges |= more


def _merge_into_default(store, triples) -> None:
    """Keep the default graph the RDF merge of the named graphs, for ``triples``."""
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    add = []
    for t in triples:
        named = any(not isinstance(q.graph_name, ox.DefaultGraph) for q in store.quads_for_pattern(*t))
        held = ox.Quad(*t, default) in store
        if named and not held:
            add.append(ox.Quad(*t, default))
        elif held and not named:
            store.remove(ox.Quad(*t, default))
    store.extend(add)


def _literal_occurs(store, message: str) -> bool:
    """The ill-typed literal an error message names is still in the store."""
    import pyoxigraph as ox

    head, _, rest = message.partition("'")
    lexical, _, datatype = rest.rpartition("' does not match its datatype (")
    literal = ox.Literal(lexical, datatype=ox.NamedNode(datatype.rstrip(")")))
    return next(store.quads_for_pattern(None, None, literal), None) is not None


def _shortcuts(store, rules, merged: bool) -> set:
    """The shortcut rules' conclusions: over the default graph where it holds the
    (up-to-date) merge, else over the union of the named graphs."""
    import pyoxigraph as ox

    return {(t.subject, t.predicate, t.object) for rule in rules
            for t in store.query(rule.text, use_default_graph_as_union=not merged)
            if not isinstance(t.subject, ox.Literal)}


def _plan(project, manifest: dict, digests: dict, graph_files: dict) -> list[str] | None:
    """The named graphs to reload, or None if only a full build will do."""
    from qkg.build import relative

    old = manifest.get("files", {})
    changed = {rel for rel in set(old) | set(digests) if old.get(rel) != digests.get(rel)}
    fixed = {relative(project, p) for p in project.ontology_files + project.rule_files}
    if changed & fixed:
        return None
    now = graph_files
    graphs = {now.get(rel) or manifest["graph_files"].get(rel) for rel in changed}
    return None if None in graphs else sorted(graphs)


def _schema_statement(triples) -> bool:
    from qkg.fastreason import _DECLARATIONS, _SCHEMA_PREDICATES, UNSUPPORTED

    return any(p.value in _SCHEMA_PREDICATES or p.value in UNSUPPORTED or o.value in _DECLARATIONS
               or o.value in UNSUPPORTED for _, p, o in triples)


def update_from_previous(project, tmp: Path, result, found: tuple[Path, dict], log=None) -> bool:
    """Build ``tmp`` from the previous fast build ``found`` (see :func:`previous_build`);
    False if a full build is needed. Fills ``result`` (graphs, inferred, errors, loaded,
    timings)."""
    import pyoxigraph as ox

    from qkg.build import load_file
    from qkg.derive import bounds_quads, load_rules
    from qkg.fastreason import (ERRORS, LITERAL_ERROR, class_errors, error_quads, literal_errors, read_schema,
                                schema_closure)

    previous, manifest = found
    graphs = _plan(project, manifest, result.files, result.graph_files)
    rules = load_rules(project.rule_files)
    if graphs is None:
        return False
    clock = time.perf_counter()
    ox.Store.read_only(str(previous)).backup(str(tmp))
    store = ox.Store(str(tmp))
    tb = schema_closure(read_schema(store))
    if not stratified(tb, rules):
        return False
    old_global = {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(previous / GLOBAL_FILE),
                                                                        format=ox.RdfFormat.N_TRIPLES)}
    # 1. The changed graphs: old and new triples, replaced in the copy.
    names = [ox.NamedNode(g) for g in graphs]
    gone, came, old_sets, new_sets = set(), set(), {}, {}
    for g in names:
        old_sets[g] = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, g)}
        fresh = ox.Store()
        for rel, graph in result.graph_files.items():
            if graph == g.value:
                load_file(fresh, graph, project.root / rel, rel)
        new_sets[g] = {(q.subject, q.predicate, q.object) for q in fresh}
        if _schema_statement(old_sets[g] ^ new_sets[g]):
            return False
    result.timings["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()
    for g in names:
        for t in old_sets[g] - new_sets[g]:
            store.remove(ox.Quad(*t, g))
        store.extend(ox.Quad(*t, g) for t in new_sets[g] - old_sets[g])
        gone |= old_sets[g] - new_sets[g]
        came |= new_sets[g] - old_sets[g]
    m = Maintainer(store, tb, old_global)
    unchanged = set(names)
    gone = {t for t in gone if not m.asserted(t)}
    came = {t for t in came if not any(t in old_sets[g] for g in names) and not m.asserted(t, skip=unchanged)}
    # 2. Per-triple derivations of what left and what came.
    for t in came:
        if ox.Quad(*t, m.inferred) in store:
            store.remove(ox.Quad(*t, m.inferred))
            m.removed += 1
    m.insert(m.closure_of(came))
    m.recheck(gone | m.closure_of(gone))
    # 3. Multi-premise conclusions, recomputed and applied as a difference.
    merged = manifest.get("default_graph") == "merged"
    if merged:  # the rules read the default graph: bring it up to date first
        _merge_into_default(store, m.touched | gone | came)
    # An old conclusion was not asserted then, so it is asserted now only if it just came.
    new_global = {t for t in _transitive(m) | _shortcuts(store, rules, merged)
                  if not (m.asserted(t) if t not in old_global or t in came else False)}
    m.global_triples = new_global
    m.insert(new_global - old_global)
    m.insert(m.closure_of(new_global - old_global))
    lost = old_global - new_global
    m.recheck(lost | m.closure_of(lost))
    # 4. Date bounds and inconsistencies, replaced.
    bound_preds = (ox.NamedNode(QKG + "earliestStart"), ox.NamedNode(QKG + "latestEnd"))
    old_bounds = {q for p in bound_preds for q in store.quads_for_pattern(None, p, None, m.inferred)}
    new_bounds = set(bounds_quads(store, m.inferred))
    for q in old_bounds - new_bounds:
        store.remove(q)
    store.extend(new_bounds - old_bounds)
    m.added, m.removed = m.added + len(new_bounds - old_bounds), m.removed + len(old_bounds - new_bounds)
    old_errors = set()
    for node in [q.subject for q in store.quads_for_pattern(None, m.type, ox.NamedNode(ERRORS + "ErrorMessage"),
                                                             m.inferred)]:
        for q in list(store.quads_for_pattern(node, None, None, m.inferred)):
            store.remove(q)
            old_errors.add(q.triple)
            m.removed += 1
    # Ill-typed literals: look in the changed graphs; an old one counts while it occurs anywhere.
    kept = [e for e in manifest.get("errors", []) if e.startswith(LITERAL_ERROR.split("{")[0])
            and _literal_occurs(store, e)]
    result.errors = sorted(set(class_errors(store, tb) + kept + literal_errors(
        store, [g.value for g in names if new_sets[g]])))
    new_errors = error_quads(result.errors, m.inferred)
    store.extend(new_errors)
    m.added += len(new_errors)
    result.timings["reason"] = time.perf_counter() - clock
    clock = time.perf_counter()
    (tmp / GLOBAL_FILE).write_bytes(ox.serialize([ox.Triple(*t) for t in sorted(new_global, key=str)],
                                                 format=ox.RdfFormat.N_TRIPLES) or b"")
    result.graphs = {g: n for g, n in manifest["graphs"].items() if g not in graphs}
    for g in names:
        if new_sets[g]:
            result.graphs[g.value] = len(new_sets[g])
    result.inferred = manifest["inferred"] + m.added - m.removed
    if merged:
        touched = m.touched | {q.triple for q in old_bounds ^ new_bounds} | old_errors | {q.triple for q in new_errors}
        _merge_into_default(store, touched)
    result.loaded, result.incremental = list(graphs), True
    store.flush()
    del store
    result.timings["store"] = time.perf_counter() - clock
    if log:
        log(f"incremental: reloaded {len(graphs)} graph(s); inferred +{m.added} -{m.removed}")
    return True
