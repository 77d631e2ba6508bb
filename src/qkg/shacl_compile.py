"""SHACL shapes compiled to SPARQL: one set-oriented query per (shape, constraint).

The W3C SHACL Core components (https://www.w3.org/TR/shacl/#core-components) our shapes use, and
the cheap ones beside them, become SPARQL over the whole dataset: a query per constraint returns
every failing (focus node, value node), never one query per focus node. A shape nested in
``sh:not``, ``sh:or``, ``sh:xone``, ``sh:and``, ``sh:node``, ``sh:property`` or
``sh:qualifiedValueShape`` becomes a boolean condition on the value node (``EXISTS``/``NOT EXISTS``).

Semantics follow pySHACL 0.40 (what ``qkg.shacl.run_shacl`` runs), where it and the spec could
differ: tests whose outcome depends on rdflib's reading of a literal (``sh:datatype``
well-formedness, ``sh:pattern`` with Python's ``re``, the value ranges, the string lengths, ``sh:in``
with literals) are decided in Python on the distinct candidate terms, and the failing terms are
put back into the query as a ``VALUES`` block; ``sh:lessThan`` pairs that are not both numbers
are compared in Python too. The dataset may repeat a triple (pyoxigraph's union default graph is
a multiset), so every query is ``DISTINCT`` and every count ``COUNT(DISTINCT …)``. Whether a
check looks a path's statements up per focus node or scans them is :mod:`qkg.shacl_plan`'s call;
the shapes are read by :mod:`qkg.shacl_model`.

Anything else — paths other than one IRI, ``sh:closed``, SPARQL-based targets, rules, custom
constraint components, recursive shapes — raises :class:`UnsupportedShape` before any query
runs, so the caller can use pyshacl.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from qkg.namespaces import RDF, RDFS, SH, XSD
from qkg.shacl_model import PYTHON_TESTS, VALUE_PARAMS, Shape, ShapesModel, UnsupportedShape

RDF_TYPE, RDF_LANGSTRING = RDF + "type", RDF + "langString"
#: The largest count a nested sh:minCount / sh:maxCount / qualified count may name
#: (nested counts become n distinct variables, so they must stay small).
MAX_NESTED_COUNT = 4

#: sh:nodeKind → the SPARQL test of a node of that kind.
NODE_KINDS = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
              "BlankNodeOrIRI": "!isLiteral({v})", "BlankNodeOrLiteral": "!isIRI({v})",
              "IRIOrLiteral": "!isBlank({v})"}


def component(parameter: str) -> str:
    """``minCount`` → ``MinCountConstraintComponent``."""
    return parameter[0].upper() + parameter[1:] + "ConstraintComponent"


@dataclass
class Check:
    """One compiled constraint: the query and how its rows become results.

    ``kind``: ``value`` (rows focus, value), ``focus`` (rows focus), ``lang`` (a result
    per row, no value), ``qualified`` (rows focus, count), ``pairs`` (focus, value, other:
    compared in Python), ``sparql`` (a SHACL-SPARQL constraint's own rows).
    """

    shape: Shape
    component: str
    query: str
    kind: str
    focus: str
    value: str | None = None
    extra: dict = field(default_factory=dict)


def sparql_term(term) -> str:
    """An rdflib IRI or literal from the shapes graph as SPARQL text."""
    from rdflib import BNode

    if isinstance(term, BNode):
        raise UnsupportedShape(f"a blank node ({term.n3()}) as a constraint parameter value")
    return term.n3()


class Compiler:
    """Shapes → :class:`Check` queries.

    :param oracle: answers what needs the data: ``subclasses(iri)`` (the class and its
        ``rdfs:subClassOf*`` descendants, as IRIs), ``failing(key, candidates, var)``
        (SPARQL terms among the distinct bindings of ``var`` in the pattern
        ``candidates`` that fail the Python test named by ``key``) and ``restriction(x)``.
    :param plan: a :class:`qkg.shacl_plan.Planner`: whether a check scans a path's
        statements or looks them up per focus node (``None``: always look up).
    """

    def __init__(self, model: ShapesModel, oracle, plan=None):
        from qkg.shacl_plan import Planner

        self.model, self.oracle, self.n, self.stack = model, oracle, 0, []
        self.plan = plan or Planner(lambda pattern: 0, "lookup")

    def fresh(self) -> str:
        self.n += 1
        return f"?q_v{self.n}"

    # -- node tests: a SPARQL expression true when value node v passes ------------

    def value_test(self, shape: Shape, name: str, arg, ctx: str, x: str, v: str) -> str:
        """The test of one value-type parameter (``arg``: its value) on value node ``v``
        of focus ``x``; ``ctx`` binds both."""
        if name == "class":
            return f"EXISTS {{ {self.typed(arg, v)} }}"
        if name == "datatype":
            if str(arg) == RDFS + "Literal":
                return f"isLiteral({v})"
            base = f"isLiteral({v}) && DATATYPE({v}) = <{arg}>"
            if str(arg) in (XSD + "string", RDF_LANGSTRING):
                return f"({base})"  # rdflib never finds these ill-typed
            return f"({base} && {self.python(('datatype', arg), f'{ctx} FILTER({base})', v)})"
        if name == "nodeKind":
            return NODE_KINDS[str(arg).rsplit("#", 1)[-1]].format(v=v)
        if name in PYTHON_TESTS:
            flags = self.model.values(shape.node, "flags") if name == "pattern" else []
            return self.python((name, arg, flags[0] if flags else None), ctx, v)
        if name == "languageIn":
            langs = {str(x).lower() for x in arg}
            if "*" in langs:
                return f'(isLiteral({v}) && LANG({v}) != "")'
            listed = ", ".join(f'"{x}"' for x in sorted(langs))
            return (f'(isLiteral({v}) && LANG({v}) != "" && (LCASE(LANG({v})) IN ({listed}) '
                    f'|| LCASE(STRBEFORE(LANG({v}), "-")) IN ({listed})))')
        if name == "in":
            from rdflib import Literal

            if any(isinstance(m, Literal) for m in arg):  # rdflib's literal equality, in Python
                return self.python(("in", tuple(arg)), ctx, v)
            return "(" + (" || ".join(f"sameTerm({v}, {sparql_term(m)})" for m in arg) or "false") + ")"
        if name == "disjoint":
            return f"NOT EXISTS {{ {x} <{arg}> {v} }}"
        if name == "not":
            return f"!({self.conforms(self.model.shape(arg), ctx, v)})"
        if name in ("and", "or"):
            parts = [f"({self.conforms(self.model.shape(s), ctx, v)})" for s in arg]
            return "(" + (" && " if name == "and" else " || ").join(parts or ["true" if name == "and" else "false"]) + ")"
        if name == "xone":
            parts = [f"IF({self.conforms(self.model.shape(s), ctx, v)}, 1, 0)" for s in arg]
            return f"({' + '.join(parts or ['0'])} = 1)"
        return self.conforms(self.model.shape(arg), ctx, v)  # sh:node

    def typed(self, cls, v: str) -> str:
        """A pattern matching when ``v`` is an instance of ``cls`` or of a subclass."""
        t, types = self.fresh(), " ".join(f"<{c}>" for c in self.oracle.subclasses(str(cls)))
        return f"VALUES {t} {{ {types} }} {v} <{RDF_TYPE}> {t}"

    def python(self, key, candidates: str, v: str) -> str:
        """The Python test ``key`` on ``v`` as SPARQL: ``true`` when every candidate
        passes, else membership in the failing terms (blank nodes by their kind, as
        a query cannot name them)."""
        bad = self.oracle.failing(key, candidates, v)
        if not bad:
            return "true"
        blank = f"!isBlank({v}) && " if any(t.startswith("_:") for t in bad) else ""
        named = " ".join(t for t in bad if not t.startswith("_:"))
        return f"({blank}NOT EXISTS {{ VALUES {v} {{ {named} }} }})" if named else f"!isBlank({v})"

    # -- shapes as boolean conditions (nested shapes) -----------------------------

    def conforms(self, shape: Shape, ctx: str, x: str) -> str:
        """A SPARQL expression true when node ``x`` (bound by ``ctx``) conforms to ``shape``."""
        if shape.deactivated:
            return "true"
        if shape.node in self.stack:
            raise UnsupportedShape(f"shape {shape.node.n3()} is recursive", "shapes")
        self.stack.append(shape.node)
        try:
            fails = self.failures(shape, ctx, x)
        finally:
            self.stack.pop()
        return "!(" + " || ".join(fails) + ")" if fails else "true"

    def failures(self, shape: Shape, ctx: str, x: str) -> list[str]:
        """One boolean expression per constraint of ``shape`` at focus ``x``, true when
        that constraint fails (every severity: a nested shape conforms only without any)."""
        for name in ("sparql", "lessThan", "lessThanOrEquals"):
            if name in shape.params:
                raise UnsupportedShape(f"shape {shape.node.n3()}: sh:{name} in a nested shape", "shapes")
        out = []
        vp, v = self.value_pattern(shape, x)
        for name in VALUE_PARAMS:
            for arg in shape.params.get(name, []):
                test = f"!COALESCE({self.value_test(shape, name, arg, f'{ctx} {vp}', x, v)}, false)"
                out.append(f"EXISTS {{ {vp} FILTER({test}) }}" if vp else test)
        p = f"<{shape.path}>"
        for arg in shape.params.get("minCount", []):
            if self.count(shape, arg) > 0:
                out.append(f"NOT EXISTS {{ {self.distinct_values(x, p, self.count(shape, arg), '')} }}")
        for arg in shape.params.get("maxCount", []):
            out.append(f"EXISTS {{ {self.distinct_values(x, p, self.count(shape, arg) + 1, '')} }}")
        for hv in shape.params.get("hasValue", []):
            out.append(self.lacks(shape, x, hv))
        if any(str(u) == "true" for u in shape.params.get("uniqueLang", [])):
            out.append(f"EXISTS {{ {self.lang_pairs(shape, x)[0]} }}")
        for q in shape.params.get("equals", []):
            out.append(f"EXISTS {{ {self.unequal(shape, x, q)[0]} }}")
        for qvs in shape.params.get("qualifiedValueShape", []):
            low, high, cond = self.qualified(shape, qvs, ctx, x)
            if low:
                out.append(f"NOT EXISTS {{ {self.distinct_values(x, p, low, cond)} }}")
            if high is not None:
                out.append(f"EXISTS {{ {self.distinct_values(x, p, high + 1, cond)} }}")
        for prop in shape.properties:
            cond = self.conforms(prop, f"{ctx} {vp}", v)
            out.append(f"EXISTS {{ {vp} FILTER(!({cond})) }}" if vp else f"!({cond})")
        return out

    def count(self, shape: Shape, arg, nested: bool = True) -> int:
        if shape.path is None:
            raise UnsupportedShape(f"shape {shape.node.n3()}: a count on a node shape", "shapes")
        n = int(arg)
        if nested and n > MAX_NESTED_COUNT:
            raise UnsupportedShape(f"shape {shape.node.n3()}: a nested count above {MAX_NESTED_COUNT}", "shapes")
        return n

    def distinct_values(self, x: str, p: str, n: int, cond: str) -> str:
        """A pattern that matches when ``x`` has ``n`` distinct values of ``p`` satisfying
        ``cond`` (a format string over ``{v}``; empty: any value)."""
        vs = [self.fresh() for _ in range(n)]
        tests = [f"!sameTerm({a}, {b})" for a, b in combinations(vs, 2)] + [cond.format(v=v) for v in vs if cond]
        body = " ".join(f"{x} {p} {v} ." for v in vs)
        return body + (f" FILTER({' && '.join(tests)})" if tests else "")

    def lacks(self, shape: Shape, x: str, hv) -> str:
        """True when ``x`` does not have the value ``hv`` (sh:hasValue)."""
        if shape.path is None:
            return f"!sameTerm({x}, {sparql_term(hv)})"
        return f"NOT EXISTS {{ {x} <{shape.path}> {sparql_term(hv)} }}"

    def lang_pairs(self, shape: Shape, x: str) -> tuple[str, str]:
        """(pattern: two values of ``x`` share a language tag, the first's var)."""
        if shape.path is None:
            raise UnsupportedShape(f"shape {shape.node.n3()}: sh:uniqueLang on a node shape", "shapes")
        a, b, p = self.fresh(), self.fresh(), f"<{shape.path}>"
        return (f"{x} {p} {a} . {x} {p} {b} . FILTER(isLiteral({a}) && LANG({a}) != \"\" && !sameTerm({a}, {b}) "
                f"&& LCASE(LANG({a})) = LCASE(LANG({b})))", a)

    def unequal(self, shape: Shape, x: str, q) -> tuple[str, str]:
        """(pattern: a value of the path that ``q`` lacks, or back; the value var): sh:equals."""
        if shape.path is None:
            raise UnsupportedShape(f"shape {shape.node.n3()}: sh:equals on a node shape", "shapes")
        v, p = self.fresh(), f"<{shape.path}>"
        return (f"{{ {x} {p} {v} FILTER NOT EXISTS {{ {x} <{q}> {v} }} }} UNION "
                f"{{ {x} <{q}> {v} FILTER NOT EXISTS {{ {x} {p} {v} }} }}", v)

    def qualified(self, shape: Shape, qvs, ctx: str, x: str, nested: bool = True):
        """(min, max or None, condition as a format string over ``{v}``) of sh:qualifiedValueShape."""
        low = [self.count(shape, a, nested) for a in self.model.values(shape.node, "qualifiedMinCount")]
        high = [self.count(shape, a, nested) for a in self.model.values(shape.node, "qualifiedMaxCount")]
        v = self.fresh()
        cond = self.conforms(self.model.shape(qvs), f"{ctx} {x} <{shape.path}> {v} .", v)
        template = re.sub(re.escape(v) + r"(?!\w)", "{v}", cond.replace("{", "{{").replace("}", "}}"))
        return (low[0] if low else 0), (high[0] if high else None), template

    def value_pattern(self, shape: Shape, x: str) -> tuple[str, str]:
        """(pattern binding the value nodes of ``shape`` at focus ``x``, their var)."""
        if shape.path is None:
            return "", x
        v = self.fresh()
        return f"{x} <{shape.path}> {v} .", v

    # -- top level: one query per constraint of every targeted shape ---------------

    def checks(self) -> list[Check]:
        """Every check of every shape with a target, and of the shapes they reach
        through ``sh:property`` (whose results are reported as their own)."""
        out = []
        for node in self.model.targeted():
            ctx, size = self.target_pattern(node, "?this")
            out += self.shape_checks(self.model.shape(node), ctx, "?this", size)
        return out

    def target_pattern(self, node, x: str) -> tuple[str, int | None]:
        """(a subquery binding ``x`` once to each focus node of the shape ``node``, the
        most nodes it binds or ``None`` when restricted to some graphs)
        (https://www.w3.org/TR/shacl/#targets; classes with their subclasses)."""
        targets, parts = self.model.targets(node), []
        classes = {c for t in targets.get("targetClass", []) for c in self.oracle.subclasses(str(t))}
        if classes:
            t = self.fresh()
            parts.append(f"VALUES {t} {{ {' '.join(f'<{c}>' for c in sorted(classes))} }} {x} <{RDF_TYPE}> {t} .")
        if targets.get("targetNode"):
            parts.append(f"VALUES {x} {{ {' '.join(sparql_term(n) for n in targets['targetNode'])} }}")
        parts += [f"{x} <{p}> {self.fresh()} ." for p in targets.get("targetSubjectsOf", [])]
        parts += [f"{self.fresh()} <{p}> {x} ." for p in targets.get("targetObjectsOf", [])]
        union, restriction = " UNION ".join(f"{{ {p} }}" for p in parts), self.oracle.restriction(x)
        size = None if restriction else self.plan.focus_size(
            classes, len(targets.get("targetNode", [])), targets.get("targetSubjectsOf", []),
            targets.get("targetObjectsOf", []))
        return f"{{ SELECT DISTINCT {x} WHERE {{ {union} {restriction} }} }}", size

    def shape_checks(self, shape: Shape, ctx: str, x: str, size: int | None = None) -> list[Check]:
        """The checks of ``shape`` at focus ``x`` bound by ``ctx`` (at most ``size`` nodes,
        ``None``: few), then of its property shapes. A scanned path (:mod:`qkg.shacl_plan`)
        is read in a sub-select, and an absence tested by ``MINUS``: each reads its side
        once, where ``FILTER NOT EXISTS`` looks every row up (same results: ``x`` and the
        value are always bound on the left, and the right shares no other variable)."""
        if shape.deactivated:
            return []
        out = []
        vp, v = self.value_pattern(shape, x)
        head, p, scan = f"SELECT DISTINCT {x}", f"<{shape.path}>", self.plan.scans(size, shape.path)
        reach = f"{ctx} {self.plan.statements(x, shape.path, v) if scan else vp}"
        for name in VALUE_PARAMS:
            for arg in shape.params.get(name, []):
                if scan and name == "class":
                    query = f"{head} {v} WHERE {{ {reach} MINUS {{ {self.typed(arg, v)} }} }}"
                    out.append(Check(shape, component(name), query, "value", x, v))
                    continue
                test = self.value_test(shape, name, arg, reach, x, v)
                if test == "true":
                    continue  # decided in Python: no value fails
                query = f"{head} {v if vp else ''} WHERE {{ {reach} FILTER(!COALESCE({test}, false)) }}"
                out.append(Check(shape, component(name), query, "value", x, v))
        w = self.fresh()
        values = self.plan.statements(x, shape.path, w) if scan else f"{{ {x} {p} {w} }}"
        for arg in shape.params.get("minCount", []):
            n = self.count(shape, arg, nested=False)
            query = (f"{head} WHERE {{ {ctx} {'MINUS' if scan else 'FILTER NOT EXISTS'} {{ {x} {p} {w} }} }}"
                     if n == 1 else f"SELECT {x} WHERE {{ {ctx} OPTIONAL {values} }} GROUP BY {x} "
                     f"HAVING (COUNT(DISTINCT {w}) < {n})")
            out += [Check(shape, component("minCount"), query, "focus", x)] if n > 0 else []
        for arg in shape.params.get("maxCount", []):
            n = self.count(shape, arg, nested=False)
            query = (f"{head} WHERE {{ {ctx} FILTER EXISTS {{ {x} {p} {w} }} }}" if n == 0 else
                     f"SELECT {x} WHERE {{ {ctx} {values} }} GROUP BY {x} HAVING (COUNT(DISTINCT {w}) > {n})")
            out.append(Check(shape, component("maxCount"), query, "focus", x))
        for hv in shape.params.get("hasValue", []):
            query = f"{head} WHERE {{ {ctx} FILTER({self.lacks(shape, x, hv)}) }}"
            out.append(Check(shape, component("hasValue"), query, "focus", x))
        if any(str(u) == "true" for u in shape.params.get("uniqueLang", [])):
            pattern, a = self.lang_pairs(shape, x)
            query = f"{head} (LCASE(LANG({a})) AS ?q_lang) WHERE {{ {ctx} {pattern} }}"
            out.append(Check(shape, component("uniqueLang"), query, "lang", x))
        for q in shape.params.get("equals", []):
            pattern, e = self.unequal(shape, x, q)
            out.append(Check(shape, component("equals"), f"{head} {e} WHERE {{ {ctx} {pattern} }}", "value", x, e))
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for q in shape.params.get(name, []):
                if shape.path is None:
                    raise UnsupportedShape(f"shape {shape.node.n3()}: sh:{name} on a node shape", "shapes")
                o = self.fresh()
                query = (f"{head} {v} {o} WHERE {{ {reach} {x} <{q}> {o} . FILTER(!COALESCE(isNumeric({v}) "
                         f"&& isNumeric({o}) && {v} {op} {o}, false)) }}")  # the rest: rdflib's order, in Python
                out.append(Check(shape, component(name), query, "pairs", x, v, {"other": o, "op": op}))
        for qvs in shape.params.get("qualifiedValueShape", []):
            out += self.qualified_checks(shape, qvs, ctx, x, scan)
        for c in shape.params.get("sparql", []):
            if not any(str(d) == "true" for d in self.model.values(c, "deactivated")):
                out.append(Check(shape, "SPARQLConstraintComponent", "", "sparql", x, extra={
                    "constraint": c, "ctx": ctx, "select": self.model.values(c, "select"),
                    "prefixes": self.model.prefixes(c), "messages": self.model.values(c, "message")}))
        for prop in shape.properties:
            out += self.shape_checks(prop, reach, v, (self.plan.path_size(shape.path) if vp else size)
                                     if size is not None else None)
        return out

    def qualified_checks(self, shape: Shape, qvs, ctx: str, x: str, scan: bool = False) -> list[Check]:
        """sh:qualifiedMinCount / sh:qualifiedMaxCount: distinct values conforming to ``qvs``."""
        low, high, cond = self.qualified(shape, qvs, ctx, x, nested=False)
        w, p = self.fresh(), f"<{shape.path}>"
        if high is None and low == 1:
            absent = "MINUS" if scan else "FILTER NOT EXISTS"
            query = f"SELECT DISTINCT {x} WHERE {{ {ctx} {absent} {{ {x} {p} {w} FILTER({cond.format(v=w)}) }} }}"
            return [Check(shape, component("qualifiedMinCount"), query, "focus", x)]
        if high is None and low == 0:
            return []
        n = f"COUNT(DISTINCT {w})"
        having = " || ".join(([f"{n} < {low}"] if low else []) + ([f"{n} > {high}"] if high is not None else []))
        values = (self.plan.statements(x, shape.path, w, cond.format(v=w)) if scan else
                  f"{{ {x} {p} {w} FILTER({cond.format(v=w)}) }}")
        query = f"SELECT {x} ({n} AS ?q_n) WHERE {{ {ctx} OPTIONAL {values} }} GROUP BY {x} HAVING ({having})"
        return [Check(shape, component("qualifiedMinCount"), query, "qualified", x, extra={"low": low, "high": high})]
