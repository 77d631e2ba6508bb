"""How a compiled SHACL check reaches a path's statements: a lookup per focus node, or
one scan of the path joined to the focus nodes by hash.

Oxigraph evaluates ``{focus nodes} ?this <p> ?v`` as a nested loop, one index lookup per
focus node (about 5 µs at a million triples), but a sub-select of its own, ``{ SELECT
?this ?v WHERE { ?this <p> ?v } }``, as one scan of the path's statements joined by hash
(well under 1 µs a statement). Measured at 1M on 58,481 ``oa:SpecificResource`` focus
nodes and ``oa:hasSource``: a ``sh:nodeKind`` check 0.49 s → 0.19 s, ``sh:class`` 0.90 s →
0.12 s (``MINUS`` reads the class's instances once, where ``EXISTS`` looks each value up),
``sh:minCount`` 0.32 s → 0.10 s (``MINUS`` again), ``sh:maxCount`` 0.46 s → 0.21 s.

The scan pays when the path has not many more statements than there are focus nodes; a
few focus nodes (one changed graph, a rare class) are better looked up. :class:`Planner`
decides per (focus set, path) from two counts the store answers from its indexes.
"""
from __future__ import annotations

from qkg.namespaces import RDF

#: Scan a path when it has at most this many statements per focus node (a lookup costs
#: about as much as scanning and hashing five statements).
SCAN_RATIO = 5
#: Planner modes: ``auto`` decides by the counts, ``scan`` and ``lookup`` force one form
#: (the tests run every shape fixture in each).
MODES = ("auto", "scan", "lookup")
RDF_TYPE = RDF + "type"


class Planner:
    """Join decisions for one store.

    :param count: a function from a SPARQL group pattern to the number of its solutions
        (cached here: each class set and path is counted once).
    """

    def __init__(self, count, mode: str = "auto"):
        if mode not in MODES:
            raise ValueError(f"join plan {mode!r}: expected one of {', '.join(MODES)}")
        self.count, self.mode, self.known = count, mode, {}

    def _count(self, pattern: str) -> int:
        if pattern not in self.known:
            self.known[pattern] = self.count(pattern)
        return self.known[pattern]

    def focus_size(self, classes, nodes: int, subjects_of, objects_of) -> int:
        """The most focus nodes a target can have (instances of ``classes``, ``nodes``
        named, subjects or objects of the given properties)."""
        size = nodes
        if classes:
            size += self._count(f"VALUES ?t {{ {' '.join(f'<{c}>' for c in sorted(classes))} }} ?s <{RDF_TYPE}> ?t")
        return size + sum(self.path_size(p) for p in [*subjects_of, *objects_of])

    def path_size(self, path) -> int:
        return self._count(f"?s <{path}> ?o")

    def scans(self, size: int | None, path) -> bool:
        """Whether to scan ``path`` for a focus set of at most ``size`` nodes (``None``:
        a set restricted to some graphs, small by design)."""
        if path is None or self.mode == "lookup":
            return False
        if self.mode == "scan":
            return True
        return size is not None and self.path_size(path) <= SCAN_RATIO * size

    @staticmethod
    def statements(x: str, path, v: str, condition: str = "") -> str:
        """The path's statements (those whose object meets ``condition``) as a sub-select
        of their own, which Oxigraph joins by hash."""
        where = f"{x} <{path}> {v} ." + (f" FILTER({condition})" if condition else "")
        return f"{{ SELECT {x} {v} WHERE {{ {where} }} }}"
