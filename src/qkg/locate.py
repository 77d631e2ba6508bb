"""Where a node is described: map subjects and terms of Turtle files to ``file:line``.

rdflib's parser keeps no positions, so each file is scanned once more with a small
Turtle structure reader (RDF 1.1 Turtle, section 6.5 grammar, without validation —
the strict parse already ran). It records the line of every subject written in
subject position, of every term's first occurrence, and of every blank node's
opening ``[``. Parsed blank nodes are matched to rdflib's by a signature: their
outgoing edges to IRIs and strings, followed down a few levels of nesting.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from qkg.namespaces import OA, RDF, XSD

_TOKEN = re.compile(
    r'(?P<ws>\s+)|(?P<comment>#[^\n]*)'
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r'|(?P<lstring>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\')'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<directive>@prefix|@base)\b'
    r'|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)'
    r'|(?P<caret>\^\^)'
    r'|(?P<bnode>_:[\w-]+(?:\.[\w-]+)*)'
    r'|(?P<number>[+-]?(?:\d+\.\d+|\.\d+|\d+)(?:[eE][+-]?\d+)?)'
    r'|(?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w:%-]|\\.|\.(?=[\w:%-]))*)'
    r'|(?P<word>[A-Za-z]+)'
    r'|(?P<punct>[\[\]\(\),;.])'
    r'|(?P<other>.)',
    re.S,
)
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_UNESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)


def _unescape(s: str) -> str:
    def one(m):
        e = m.group(1)
        if e[0] in "uU" and len(e) > 1:
            return chr(int(e[1:], 16))
        return _ESCAPES.get(e, e)

    return _UNESCAPE.sub(one, s)


@dataclass
class Scan:
    """What the structure reader found in one file (terms as IRI strings, literals as
    ``('lit', lexical, lang, datatype)``, blank nodes as ``('b', n)``)."""

    subjects: dict = field(default_factory=dict)  # subject → first line in subject position
    terms: dict = field(default_factory=dict)  # IRI → first line anywhere
    triples: list = field(default_factory=list)  # (s, p, o)
    bnode_lines: dict = field(default_factory=dict)  # ('b', n) → line


class _Reader:
    """A recursive-descent reader over the token stream; forgiving on errors."""

    def __init__(self, text: str):
        self.toks = []
        line = 1
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup
            if kind not in ("ws", "comment"):
                self.toks.append((kind, m.group(), line))
            line += m.group().count("\n")
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.base = ""
        self.scan = Scan()
        self.nbnodes = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("eof", "", 0)

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def run(self) -> Scan:
        while self.peek()[0] != "eof":
            start = self.i
            try:
                self.statement()
            except (IndexError, ValueError):
                pass
            if self.i == start:
                self.i += 1
        return self.scan

    def statement(self):
        kind, val, _ = self.peek()
        if kind == "directive" or (kind == "word" and val.upper() in ("PREFIX", "BASE")):
            self.next()
            if val.lower().endswith("prefix"):
                name = self.next()[1]
                self.prefixes[name[:-1]] = self.iri_of(self.next())
            else:
                self.base = self.iri_of(self.next())
            if self.peek()[1] == ".":
                self.next()
            return
        subject, line = self.term(subject=True)
        if subject[0] != "b":
            self.scan.subjects.setdefault(subject, line)
        if self.peek()[1] != ".":
            self.predicate_objects(subject)
        if self.peek()[1] == ".":
            self.next()

    def predicate_objects(self, subject):
        while True:
            kind, val, line = self.peek()
            if kind == "eof" or val in (".", "]"):
                return
            if val == ";":
                self.next()
                continue
            pred = RDF + "type" if (kind == "word" and val == "a") else None
            if pred:
                self.next()
            else:
                pred, _ = self.term()
            while True:
                obj, _ = self.term()
                self.scan.triples.append((subject, pred, obj))
                if self.peek()[1] != ",":
                    break
                self.next()

    def term(self, subject: bool = False):
        kind, val, line = self.next()
        if kind in ("iri", "pname"):
            iri = self.iri_of((kind, val, line))
            self.scan.terms.setdefault(iri, line)
            return iri, line
        if kind == "bnode":
            node = ("b", val[2:])
            self.scan.bnode_lines.setdefault(node, line)
            return node, line
        if val == "[":
            self.nbnodes += 1
            node = ("b", self.nbnodes)
            self.scan.bnode_lines[node] = line
            if self.peek()[1] != "]":
                self.predicate_objects(node)
            self.next()  # ']'
            return node, line
        if val == "(":
            items = []
            while self.peek()[1] != ")" and self.peek()[0] != "eof":
                items.append(self.term()[0])
            self.next()
            return self.collection(items), line
        if kind in ("string", "lstring"):
            quote = 3 if kind == "lstring" else 1
            lexical, lang, dtype = _unescape(val[quote:-quote]), None, XSD + "string"
            if self.peek()[0] == "lang":
                lang, dtype = self.next()[1][1:].lower(), RDF + "langString"
            elif self.peek()[0] == "caret":
                self.next()
                dtype = self.iri_of(self.next())
            return ("lit", lexical, lang, dtype), line
        if kind == "number":
            dt = "double" if "e" in val.lower() else "decimal" if "." in val else "integer"
            return ("lit", val, None, XSD + dt), line
        if kind == "word" and val in ("true", "false"):
            return ("lit", val, None, XSD + "boolean"), line
        raise ValueError(f"unexpected token {val!r}")

    def collection(self, items):
        if not items:
            return RDF + "nil"
        head = None
        prev = None
        for item in items:
            self.nbnodes += 1
            node = ("b", self.nbnodes)
            head = head or node
            if prev:
                self.scan.triples.append((prev, RDF + "rest", node))
            self.scan.triples.append((node, RDF + "first", item))
            prev = node
        self.scan.triples.append((prev, RDF + "rest", RDF + "nil"))
        return head

    def iri_of(self, tok) -> str:
        kind, val, _ = tok
        if kind == "iri":
            rel = _unescape(val[1:-1])
            return rel if re.match(r"^[A-Za-z][\w+.-]*:", rel) or not self.base else self.base + rel
        if kind == "pname":
            prefix, _, local = val.partition(":")
            return self.prefixes.get(prefix, prefix + ":") + re.sub(r"\\(.)", r"\1", local)
        raise ValueError(f"expected an IRI, got {val!r}")


def scan_text(text: str) -> Scan:
    """Read Turtle ``text`` for positions (see the module docstring)."""
    return _Reader(text).run()


# -- blank-node signatures ----------------------------------------------------------

_DEPTH = 4


def _digest(parts) -> str:
    return hashlib.sha1("\x1f".join(sorted(parts)).encode()).hexdigest()


def _const(kind: str, lexical: str, lang, dtype: str) -> str:
    """A comparable form of a constant; typed non-string literals by datatype only,
    because stores may rewrite their lexical forms."""
    if kind == "iri":
        return "<" + lexical
    if dtype in (XSD + "string", RDF + "langString", None):
        return f'"{lexical}@{(lang or "").lower()}'
    return "^" + dtype


def _signature(node, out_edges, in_edges, const, is_bnode) -> str:
    """Digest of the subtree below ``node`` and of the path above it: identical
    subtrees (the same quote under two annotations) still differ by their parents."""

    def down(n, d):
        if not is_bnode(n):
            return const(n)
        if d == 0:
            return "_"
        return _digest(f"{p}={down(o, d - 1)}" for p, o in out_edges(n))

    def up(n, d):
        if d == 0:
            return ""
        return _digest(
            f"{p}<{const(s) if not is_bnode(s) else down(s, 2) + up(s, d - 1)}" for s, p in in_edges(n)
        )

    return down(node, _DEPTH) + up(node, 3)


def _scan_signatures(scan: Scan) -> dict:
    outs: dict = {}
    ins: dict = {}
    for s, p, o in scan.triples:
        outs.setdefault(s, []).append((p, o))
        ins.setdefault(o, []).append((s, p))

    def const(n):
        return _const("iri", n, None, None) if isinstance(n, str) else _const("lit", *n[1:])

    def is_bnode(n):
        return isinstance(n, tuple) and n[0] == "b"

    return {
        _signature(b, lambda n: outs.get(n, []), lambda n: ins.get(n, []), const, is_bnode): b
        for b in scan.bnode_lines
    }


def rdflib_signature(graph, node) -> str:
    """The signature of an rdflib blank node ``node`` in the asserted ``graph``."""
    from rdflib import BNode, Literal

    def const(n):
        if isinstance(n, Literal):
            dt = str(n.datatype) if n.datatype else (RDF + "langString" if n.language else XSD + "string")
            return _const("lit", str(n), n.language, dt)
        return _const("iri", str(n), None, None)

    return _signature(
        node, lambda n: list(graph.predicate_objects(n)), lambda n: list(graph.subject_predicates(n)),
        const, lambda n: isinstance(n, BNode),
    )


# -- the locator ----------------------------------------------------------------------


class Locator:
    """Finds the file and line where a node is described, scanning files on demand.

    :param files: candidate files in preference order, as ``(graph IRI, path)``.
    :param shown: turns a path into the form used in messages.
    """

    def __init__(self, files: list[tuple[str, Path]], shown=str):
        self.files = files
        self.shown = shown
        self._scans: dict[Path, Scan] = {}
        self._sigs: dict[Path, dict] = {}

    def scan(self, path: Path) -> Scan:
        if path not in self._scans:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._scans[path] = scan_text(text)
        return self._scans[path]

    def _candidates(self, graph_iri: str | None):
        same = [p for g, p in self.files if graph_iri is None or g == graph_iri]
        return same + [p for g, p in self.files if p not in same]

    def subject(self, iri: str, graph_iri: str | None = None) -> tuple[str, int] | None:
        """``(file, line)`` where ``iri`` first appears as a subject, else anywhere."""
        cands = self._candidates(graph_iri)
        for path in cands:
            line = self.scan(path).subjects.get(iri)
            if line:
                return self.shown(path), line
        return self.term(iri, graph_iri)

    def term(self, iri: str, graph_iri: str | None = None) -> tuple[str, int] | None:
        """``(file, line)`` of the first occurrence of ``iri`` in any position."""
        for path in self._candidates(graph_iri):
            line = self.scan(path).terms.get(iri)
            if line:
                return self.shown(path), line
        return None

    def bnode(self, graph, node, graph_iri: str | None = None) -> tuple[str, int] | None:
        """``(file, line)`` of the ``[`` that opens blank node ``node`` of rdflib ``graph``."""
        want = rdflib_signature(graph, node)
        for path in self._candidates(graph_iri):
            if path not in self._sigs:
                self._sigs[path] = _scan_signatures(self.scan(path))
            found = self._sigs[path].get(want)
            if found is not None:
                return self.shown(path), self.scan(path).bnode_lines[found]
        return None


def anchor(graph, node, limit: int = 6):
    """The nearest IRI node a blank node hangs from: up through incoming edges, else
    the body of an annotation (``oa:hasBody``), else None."""
    from rdflib import BNode, URIRef

    seen, frontier = {node}, [node]
    for _ in range(limit):
        nxt = []
        for n in frontier:
            for s in graph.subjects(None, n):
                if isinstance(s, URIRef):
                    return s
                if s not in seen:
                    seen.add(s)
                    nxt.append(s)
            body = graph.value(n, URIRef(OA + "hasBody"))
            if isinstance(body, URIRef):
                return body
        frontier = [n for n in nxt if isinstance(n, BNode)]
        if not frontier:
            break
    return None
