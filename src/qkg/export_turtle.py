"""A deterministic Turtle and TriG writer for canonicalized pyoxigraph quads.

pyoxigraph's own serializers write every blank node as ``_:label``; evidence reads
far better nested, as the data files write it. This writer follows the Turtle 1.1
grammar (https://www.w3.org/TR/turtle/#sec-grammar) and TriG's graph blocks
(https://www.w3.org/TR/trig/#sec-grammar):

* prefixes from :data:`qkg.namespaces.PREFIXES`, in that order, only those used;
* subjects sorted by IRI, each entity followed by the evidence annotations about it;
* a blank node used once as an object is nested (``[ … ]``), an unreferenced one is
  written ``[] p o .``, any other keeps its (canonical) label;
* ``rdf:type`` first, then labels, then the other predicates by IRI; objects sorted.

The output is a pure function of the quads, so canonical blank node labels give
byte-identical files for the same data.
"""
from __future__ import annotations

import re
from collections import defaultdict

from qkg.namespaces import OA, PREFIXES, RDF, RDFS, SKOS, XSD

_LOCAL = re.compile(r"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_FIRST = [RDF + "type", RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel"]
INDENT = "    "


def escape_string(value: str) -> str:
    """A Turtle/N-Triples double-quoted string literal body for ``value``."""
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), value)


def predicate_key(iri: str) -> tuple:
    """Sort key putting ``rdf:type`` and the label properties first."""
    return (_FIRST.index(iri), "") if iri in _FIRST else (len(_FIRST), iri)


def term_key(term) -> tuple:
    """Sort key: IRIs, then blank nodes, then literals, each by its text."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return (0, term.value)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    return (2, term.value, term.datatype.value, term.language or "")


class _Graph:
    """One graph's triples indexed for writing."""

    def __init__(self, triples):
        import pyoxigraph as ox

        self.props: dict = defaultdict(lambda: defaultdict(list))
        self.refs: dict = defaultdict(int)
        for s, p, o in triples:
            self.props[s][p.value].append(o)
            if isinstance(o, ox.BlankNode):
                self.refs[o] += 1
        for per_subject in self.props.values():
            for values in per_subject.values():
                values.sort(key=term_key)


class TurtleWriter:
    """Renders triples with a fixed prefix table; remembers which prefixes it used."""

    def __init__(self, prefixes: dict[str, str] | None = None):
        self.prefixes = dict(PREFIXES if prefixes is None else prefixes)
        # longest namespace first so qpart: wins over a shorter match
        self._by_length = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()

    # -- terms -----------------------------------------------------------------
    def iri(self, iri: str) -> str:
        for prefix, ns in self._by_length:
            if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                self.used.add(prefix)
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"

    def literal(self, lit) -> str:
        value, dt = lit.value, lit.datatype.value
        if lit.language:
            return f'"{escape_string(value)}"@{lit.language}'
        if dt == XSD + "string":
            return f'"{escape_string(value)}"'
        if dt == XSD + "integer" and _INTEGER.match(value):
            return value
        if dt == XSD + "decimal" and _DECIMAL.match(value):
            return value
        if dt == XSD + "boolean" and value in ("true", "false"):
            return value
        return f'"{escape_string(value)}"^^{self.iri(dt)}'

    def term(self, term, graph: _Graph, indent: str, seen: set) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            if graph.refs.get(term) == 1 and term not in seen:
                seen.add(term)
                parts = self.parts(term, graph, indent, seen)
                if not parts:
                    return "[]"
                if sum(len(p) for p in parts) <= 72 and not any("\n" in p for p in parts):
                    return "[ " + " ; ".join(parts) + " ]"
                return "[ " + (" ;\n" + indent).join(parts) + " ]"
            return f"_:{term.value}"
        return self.literal(term)

    def properties(self, subject, graph: _Graph, indent: str, seen: set) -> str:
        """The predicate-object list of ``subject``; continuation lines start with
        ``indent``, further objects of a predicate one level deeper."""
        return (" ;\n" + indent).join(self.parts(subject, graph, indent, seen))

    def parts(self, subject, graph: _Graph, indent: str, seen: set) -> list[str]:
        """One ``predicate objects`` string per predicate of ``subject``."""
        parts = []
        per_subject = graph.props.get(subject, {})
        for pred in sorted(per_subject, key=predicate_key):
            verb = "a" if pred == RDF + "type" else self.iri(pred)
            # an object on a continuation line nests one level deeper than the first
            values = per_subject[pred]
            if any(graph.refs.get(o) == 1 for o in values):
                # nested blank nodes have no label to sort by: order them by their text
                values = sorted(values, key=lambda o: (graph.refs.get(o) == 1, self.term(o, graph, "", set())))
            objects = [self.term(o, graph, indent + INDENT * (2 if i else 1), seen)
                       for i, o in enumerate(values)]
            inline = " , ".join(objects)
            if len(inline) <= 72 and "\n" not in inline:
                parts.append(verb + " " + inline)
            else:
                parts.append(verb + " " + (" ,\n" + indent + INDENT).join(objects))
        return parts

    # -- statements ----------------------------------------------------------------
    def statements(self, triples, depth: int = 0) -> list[str]:
        """Every statement of one graph, ordered, each ending with `` .``."""
        import pyoxigraph as ox

        graph = _Graph(triples)
        seen: set = set()
        pad = INDENT * depth
        iri_subjects = sorted((s for s in graph.props if isinstance(s, ox.NamedNode)), key=lambda t: t.value)
        known = {s.value for s in iri_subjects}
        roots = [s for s in graph.props if isinstance(s, ox.BlankNode) and graph.refs.get(s, 0) == 0]
        attached: dict[str, list] = defaultdict(list)
        loose = []
        for root in roots:
            bodies = sorted(o.value for o in graph.props[root].get(OA + "hasBody", [])
                            if isinstance(o, ox.NamedNode) and o.value in known)
            (attached[bodies[0]] if bodies else loose).append(root)

        def anonymous(nodes) -> list[str]:
            out = []
            for node in nodes:
                seen.add(node)
                out.append(pad + "[] " + self.properties(node, graph, pad + INDENT, seen) + " .")
            return sorted(out)

        out = []
        for subject in iri_subjects:
            out.append(pad + self.iri(subject.value) + " " + self.properties(subject, graph, pad + INDENT, seen) + " .")
            out.extend(anonymous(attached.get(subject.value, [])))
        out.extend(anonymous(loose))
        # blank nodes used twice or more, and any nested cycle nothing reached
        rest = sorted((s for s in graph.props if isinstance(s, ox.BlankNode) and s not in seen),
                      key=lambda t: t.value)
        for node in rest:
            if node in seen:
                continue
            seen.add(node)
            out.append(pad + f"_:{node.value} " + self.properties(node, graph, pad + INDENT, seen) + " .")
        return out

    def header(self) -> str:
        lines = [f"@prefix {p}: <{ns}> ." for p, ns in self.prefixes.items() if p in self.used]
        return "\n".join(lines) + "\n\n" if lines else ""


def write_turtle(triples, prefixes: dict[str, str] | None = None) -> str:
    """Turtle text for ``(s, p, o)`` pyoxigraph triples (labels already canonical)."""
    writer = TurtleWriter(prefixes)
    body = "\n\n".join(writer.statements(list(triples)))
    return writer.header() + body + ("\n" if body else "")


def write_trig(quads, prefixes: dict[str, str] | None = None) -> str:
    """TriG text for pyoxigraph quads, one block per named graph in IRI order."""
    import pyoxigraph as ox

    writer = TurtleWriter(prefixes)
    graphs: dict = defaultdict(list)
    for q in quads:
        graphs[q.graph_name].append((q.subject, q.predicate, q.object))
    blocks = []
    default = [g for g in graphs if isinstance(g, ox.DefaultGraph)]
    for g in default:
        blocks.append("\n\n".join(writer.statements(graphs[g])))
    for g in sorted((g for g in graphs if not isinstance(g, ox.DefaultGraph)), key=term_key):
        name = writer.iri(g.value) if isinstance(g, ox.NamedNode) else f"_:{g.value}"
        inner = "\n\n".join(writer.statements(graphs[g], depth=1))
        blocks.append(f"{name} {{\n{inner}\n}}")
    body = "\n\n".join(blocks)
    return writer.header() + body + ("\n" if body else "")
