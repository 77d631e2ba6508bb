"""The semantic difference of two versions of the graph: triples added and removed.

Each side is a Turtle file, a directory, or a git revision (the project's
``data/*.ttl``, ``data/sources/*.ttl`` and ``ontology/*.ttl`` at that revision, read
with ``git show REV:path``). Files are paired by path; blank nodes are compared by
graph isomorphism — both graphs are canonicalized (``rdflib.compare``, after
Hogan's iso-canonical algorithm) so a re-ordered or re-labelled file has no
difference. Changes are grouped by entity: a blank node's triples go under the IRI
node it hangs from (an annotation under its body), with the entity's label.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from qkg.errors import InputError, RdfSyntaxError, UsageError
from qkg.namespaces import RDF, XSD, shorten

#: What a git revision contributes: the project's Turtle inputs.
GIT_PATTERNS = ("data/*.ttl", "data/sources/*.ttl", "ontology/*.ttl")


@dataclass
class FileDiff:
    """The difference of one file: triples removed and added, by entity."""

    name: str
    removed: dict = field(default_factory=dict)  # entity → [triple]
    added: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)  # entity → label

    def count(self) -> tuple[int, int]:
        return (sum(len(v) for v in self.added.values()), sum(len(v) for v in self.removed.values()))


def _parse(data: bytes, shown: str):
    import rdflib

    from qkg.rdfio import check_syntax

    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8; save the file as UTF-8", shown) from None
    check_syntax(data, shown)
    g = rdflib.Graph()
    try:
        g.parse(data=data, format="turtle")
    except Exception as exc:  # rdflib raises many types; the strict check ran first
        raise RdfSyntaxError(f"rdflib could not read the file: {exc}".splitlines()[0], shown) from None
    return g


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError:
        raise UsageError("git is not installed; compare files or directories instead", "git") from None
    return done.stdout if done.returncode == 0 else None


def _project_files(root: Path) -> list[Path]:
    return sorted({p for pattern in GIT_PATTERNS for p in root.glob(pattern)})


def load_side(spec: str, root: Path) -> dict:
    """``{relative path: (bytes, shown name)}`` for a file, a directory or a git revision.

    :raises UsageError: ``spec`` is none of these.
    """
    path = Path(spec)
    if path.is_file():
        return {path.name: (path.read_bytes(), spec)}
    if path.is_dir():
        files = _project_files(path) if (path / "ontology" / "qkg.ttl").is_file() else sorted(path.rglob("*.ttl"))
        return {p.relative_to(path).as_posix(): (p.read_bytes(), str(p)) for p in files}
    if _git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}") is None:
        raise UsageError(f"{spec!r} is not a file, a directory or a git revision of {root}", spec)
    listing = _git(root, "ls-tree", "-r", "--name-only", spec, "--", "data", "ontology") or b""
    out = {}
    for name in sorted(listing.decode().splitlines()):
        if any(Path(name).match(p) and name.count("/") == p.count("/") for p in GIT_PATTERNS):
            out[name] = (_git(root, "show", f"{spec}:{name}") or b"", f"{spec}:{name}")
    return out


def _labels(graphs) -> dict:
    from rdflib import Literal, URIRef

    best: dict = {}
    for g in graphs:
        for p in ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label"):
            for s, o in g.subject_objects(URIRef(p)):
                if isinstance(o, Literal):
                    rank = 0 if o.language == "en" else 1
                    if s not in best or rank < best[s][0]:
                        best[s] = (rank, str(o))
    return {s: v for s, (_, v) in best.items()}


class _Cycle(Exception):
    pass


def canonical(graph):
    """``graph`` with canonical blank-node labels.

    Fast path for our data, where blank nodes form trees (annotation → target →
    selector): each blank node is labelled by a hash of everything below it and of
    the path above it — a function of the graph's structure alone. When those labels
    are distinct, they are a canonical labelling. Otherwise (a cycle, or two identical
    subtrees under identical parents) rdflib's :func:`~rdflib.compare.to_canonical_graph`
    does the general job.
    """
    import hashlib

    import rdflib
    from rdflib import BNode
    from rdflib.compare import to_canonical_graph

    bnodes = {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}
    if not bnodes:
        return graph
    down: dict = {}
    up: dict = {}

    def digest(parts) -> str:
        return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()

    def below(n, path=frozenset()):
        if not isinstance(n, BNode):
            return n.n3()
        if n in path:
            raise _Cycle
        if n not in down:
            down[n] = digest(f"{p.n3()} {below(o, path | {n})}" for p, o in graph.predicate_objects(n))
        return down[n]

    def above(n, path=frozenset()):
        if n in path:
            raise _Cycle
        if n not in up:
            up[n] = digest(f"{p.n3()} {s.n3() if not isinstance(s, BNode) else below(s) + above(s, path | {n})}"
                           for s, p in graph.subject_predicates(n))
        return up[n]

    try:
        labels = {n: digest([below(n), above(n)])[:32] for n in bnodes}
    except (_Cycle, RecursionError):
        labels = {}
    if len(set(labels.values())) != len(bnodes):
        return to_canonical_graph(graph)
    out = rdflib.Graph()
    relabel = {n: BNode("c" + label) for n, label in labels.items()}
    for s, p, o in graph:
        out.add((relabel.get(s, s), p, relabel.get(o, o)))
    return out


def diff_graphs(name: str, old, new, labels: dict) -> FileDiff:
    """The difference of two rdflib graphs, blank nodes compared canonically."""
    from rdflib import BNode

    from qkg.locate import anchor

    c_old, c_new = canonical(old), canonical(new)
    old_set, new_set = set(c_old), set(c_new)
    out = FileDiff(name)
    for triples, side, graph in ((old_set - new_set, out.removed, c_old), (new_set - old_set, out.added, c_new)):
        for t in triples:
            entity = t[0] if not isinstance(t[0], BNode) else (anchor(graph, t[0]) or t[0])
            side.setdefault(entity, []).append(t)
            if entity in labels:
                out.labels[entity] = labels[entity]
    return out


def diff(old_spec: str, new_spec: str, root: Path) -> list[FileDiff]:
    """Every file that differs between ``old_spec`` and ``new_spec``, by path."""
    import rdflib

    old, new = load_side(old_spec, root), load_side(new_spec, root)
    if Path(old_spec).is_file() and Path(new_spec).is_file():
        (name_old, a), (name_new, b) = next(iter(old.items())), next(iter(new.items()))
        pairs = {name_new if name_old == name_new else f"{name_old} → {name_new}": (a, b)}
    else:
        pairs = {k: (old.get(k), new.get(k)) for k in sorted(set(old) | set(new))}
    graphs = {}
    for name, (a, b) in pairs.items():
        if a is not None and b is not None and a[0] == b[0]:
            continue  # the same bytes: no need to parse
        graphs[name] = tuple(_parse(*side) if side is not None else rdflib.Graph() for side in (a, b))
    labels = _labels([g for pair in graphs.values() for g in reversed(pair)])
    diffs = [diff_graphs(name, a, b, labels) for name, (a, b) in graphs.items()]
    return [d for d in diffs if d.removed or d.added]


# -- rendering ----------------------------------------------------------------------------


def term(t, bnodes: dict) -> str:
    """A short Turtle-like form of ``t``; blank nodes as ``_:b1``, ``_:b2``… per file."""
    import json

    from rdflib import BNode, Literal

    if isinstance(t, BNode):
        return bnodes.setdefault(t, f"_:b{len(bnodes) + 1}")
    if isinstance(t, Literal):
        text = json.dumps(str(t), ensure_ascii=False)
        if t.language:
            return f"{text}@{t.language}"
        if t.datatype and str(t.datatype) != XSD + "string":
            return f"{text}^^{shorten(str(t.datatype))}"
        return text
    return "a" if str(t) == RDF + "type" else shorten(str(t))


def _ordered(entity, triples) -> list:
    """The entity's own triples, then each blank node's, depth first from where it
    hangs (an annotation, then its target, then its selector); ``a`` first."""
    from rdflib import BNode

    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t[0], []).append(t)

    def key(t):
        return (str(t[1]) != RDF + "type", str(t[1]), str(t[2]))

    children = {o for t in triples for o in (t[2],) if isinstance(o, BNode) and o in by_subject}
    roots = [entity] + sorted((s for s in by_subject if s != entity and s not in children),
                              key=lambda s: sorted(map(key, by_subject[s])))
    out, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for t in sorted(by_subject.get(node, []), key=key):
            out.append(t)
        for t in sorted(by_subject.get(node, []), key=key):
            if isinstance(t[2], BNode):
                visit(t[2])

    for root in roots:
        visit(root)
    out += [t for t in triples if t[0] not in seen]
    return out


def _lines(d: FileDiff):
    """``(entity heading, [(sign, line)])`` per entity, in a stable order."""
    bnodes: dict = {}
    for entity in sorted(set(d.removed) | set(d.added), key=str):
        rows = []
        for sign, triples in (("-", d.removed.get(entity, [])), ("+", d.added.get(entity, []))):
            for s, p, o in _ordered(entity, triples):
                subject = "" if s == entity else term(s, bnodes) + " "
                rows.append((sign, f"{subject}{term(p, bnodes)} {term(o, bnodes)}"))
        label = d.labels.get(entity)
        heading = term(entity, bnodes) + (f"  ({label})" if label else "")
        yield heading, rows


def render_text(diffs: list[FileDiff]) -> str:
    if not diffs:
        return "no semantic difference"
    out = []
    for d in diffs:
        added, removed = d.count()
        out.append(f"{d.name}  (+{added} -{removed})")
        for heading, rows in _lines(d):
            out.append(f"  {heading}")
            out += [f"    {sign} {row}" for sign, row in rows]
        out.append("")
    total_a = sum(d.count()[0] for d in diffs)
    total_r = sum(d.count()[1] for d in diffs)
    out.append(f"{len(diffs)} file{'s' if len(diffs) != 1 else ''} changed: +{total_a} -{total_r} triples")
    return "\n".join(out)


def render_markdown(diffs: list[FileDiff]) -> str:
    """Markdown for a pull-request comment: a section per file, a ``diff`` block per entity."""
    if not diffs:
        return "**qkg diff**: no semantic difference."
    total_a = sum(d.count()[0] for d in diffs)
    total_r = sum(d.count()[1] for d in diffs)
    out = [f"**qkg diff**: {len(diffs)} file{'s' if len(diffs) != 1 else ''} changed, "
           f"+{total_a} −{total_r} triples", ""]
    for d in diffs:
        added, removed = d.count()
        out += [f"### `{d.name}` (+{added} −{removed})", ""]
        for heading, rows in _lines(d):
            bold = heading.replace("*", r"\*")
            out += [f"**{bold}**", "", "```diff"]
            out += [f"{sign} {row}" for sign, row in rows]
            out += ["```", ""]
    return "\n".join(out).rstrip()
