"""The SPARQL SHACL engine: shapes compiled by :mod:`qkg.shacl_compile`, run by
pyoxigraph on the built store, giving the :class:`qkg.shacl.ShaclResult` records
pyshacl gives on the same data.

The data is the RDF merge of every named graph of the store (asserted, ontology,
reference and the inferred closure), validated without inference: the closure holds
every super-class type. A store whose ``manifest.json`` says ``"default_graph":
"merged"`` holds that merge in its default graph; otherwise the queries read
pyoxigraph's union default graph, where a triple stated in n graphs matches n times
(the compiled queries count distinct terms only, so both give the same results).

SHACL-SPARQL constraints (https://www.w3.org/TR/shacl/#sparql-constraints) run as one
query over all focus nodes: ``$this`` becomes a variable bound by the target pattern,
which is put at the start of the query's WHERE group (pre-binding by substitution,
https://www.w3.org/TR/shacl/#pre-binding), and ``$PATH`` the property shape's IRI.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from qkg.shacl import ShaclResult, _s
from qkg.shacl_compile import SH, Check, Compiler
from qkg.shacl_model import ShapesModel, UnsupportedShape
from qkg.shacl_python import less, python_test

#: pyshacl's messages for a failing core constraint of a shape without sh:message.
DEFAULT_MESSAGES = {
    "Class": "Value does not have class {arg}", "Datatype": "Value is not Literal with datatype {arg}",
    "NodeKind": "Value is not of Node Kind {arg}", "MinCount": "Less than {arg} values on {focus}->{path}",
    "MaxCount": "More than {arg} values on {focus}->{path}", "Pattern": "Value does not match pattern '{arg}'",
    "LanguageIn": "String language is not in {arg}", "UniqueLang": "More than one String shares the same Language",
    "MinLength": "String length not >= {arg}", "MaxLength": "String length not <= {arg}",
    "MinInclusive": "Value is not >= {arg}", "MinExclusive": "Value is not > {arg}",
    "MaxInclusive": "Value is not <= {arg}", "MaxExclusive": "Value is not < {arg}",
    "In": "Value {value} not in list {arg}", "HasValue": "Node {focus}->{path} does not contain a value in the set: {arg}",
    "Not": "Node {value} conforms to shape {arg}", "Or": "Node {value} does not conform to one or more shapes in {arg}",
    "Xone": "Node {value} does not conform to exactly one shape in {arg}",
    "And": "Node {value} does not conform to all shapes in {arg}", "Node": "Value does not conform to Shape {arg}.",
    "LessThan": "Value of {focus}->{path} >= {arg}", "LessThanOrEquals": "Value of {focus}->{path} > {arg}",
    "Equals": "Value of {focus}->{path} != {arg}", "Disjoint": "Value of {focus}->{path} == {arg}",
    "QualifiedMinCount": "Focus node does not conform to shape {arg}",
    "QualifiedMaxCount": "Focus node conforms to too many shapes {arg}",
}
#: SPARQL tokens: enough to find keywords, variables and braces outside strings and IRIs.
TOKEN = re.compile(r'''(?P<ws>\s+)|(?P<comment>\#[^\n]*)
    |(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<var>[?$][A-Za-z0-9_]+)
    |(?P<word>[A-Za-z_][\w-]*(?::(?:[\w%-]|\.(?=[\w%-]))*)?|:(?:[\w%-]|\.(?=[\w%-]))*)|(?P<other>.)''', re.X | re.S)
#: Query features whose meaning would change once $this is joined instead of pre-bound.
REFUSED = {"MINUS", "VALUES", "SERVICE", "GROUP", "HAVING", "LIMIT", "OFFSET", "COUNT", "SUM", "MIN", "MAX",
           "AVG", "SAMPLE", "GROUP_CONCAT", "GRAPH", "FROM", "CONSTRUCT", "ASK", "DESCRIBE"}


def store_union(store_path: Path | str) -> bool:
    """Whether queries on the store at ``store_path`` read the union of its named
    graphs (``False`` when its manifest says the default graph holds their merge)."""
    from qkg.store import holds_merge

    return not holds_merge(store_path)


class StoreOracle:
    """What the compiler asks of the data, answered by queries on a pyoxigraph store."""

    def __init__(self, store, union: bool, graphs=None):
        from qkg.fastvalidate import TermConverter

        self.store, self.union, self.graphs = store, union, list(graphs) if graphs is not None else None
        self.convert, self.verdicts, self.classes, self.answers = TermConverter(), {}, {}, {}

    def query(self, text: str):
        return self.store.query(text, use_default_graph_as_union=self.union)

    def subclasses(self, iri: str) -> list[str]:
        if iri not in self.classes:
            rows = self.query(f"SELECT DISTINCT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{iri}> }}")
            self.classes[iri] = sorted({iri, *(r[0].value for r in rows if r[0].__class__.__name__ == "NamedNode")})
        return self.classes[iri]

    def count(self, pattern: str) -> int:
        """The number of solutions of a group pattern (for :class:`qkg.shacl_plan.Planner`)."""
        return int(next(iter(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))["n"].value)

    def prefetch(self, requests) -> None:
        """Answer ``failing`` requests ahead of the compile that asks them: their queries
        side by side (pyoxigraph releases the GIL), the Python tests after."""
        from qkg.parallel import map_threads

        todo = list(dict.fromkeys(requests))
        for request, terms in zip(todo, map_threads(lambda r: self.candidates(*r[1:]), todo)):
            self.answers[request] = self.judge(request[0], terms)

    def candidates(self, pattern: str, var: str) -> list:
        return [row[0] for row in self.query(chain_exists(f"SELECT DISTINCT {var} WHERE {{ {pattern} }}"))]

    def failing(self, key, candidates: str, var: str) -> list[str]:
        """Distinct bindings of ``var`` in ``candidates`` that fail the Python test ``key``."""
        if (key, candidates, var) not in self.answers:
            self.answers[key, candidates, var] = self.judge(key, self.candidates(candidates, var))
        return self.answers[key, candidates, var]

    def judge(self, key, terms) -> list[str]:
        """The terms that fail the Python test ``key``, as SPARQL terms."""
        import logging

        test, bad = python_test(key), []
        quiet = logging.getLogger("rdflib.term")
        level, quiet.level = quiet.level, logging.CRITICAL  # rdflib logs every ill-typed literal it reads
        try:
            for term in terms:
                if (key, term) not in self.verdicts:
                    self.verdicts[key, term] = test(self.convert(term))
                if not self.verdicts[key, term]:
                    bad.append(str(term))
        finally:
            quiet.level = level
        return bad

    def restriction(self, x: str) -> str:
        """A pattern keeping ``x`` to the subjects of the selected graphs (none: all)."""
        if self.graphs is None:
            return ""
        names = " ".join(f"<{g}>" for g in self.graphs)
        return f"VALUES ?q_g {{ {names} }} GRAPH ?q_g {{ {x} ?q_gp ?q_go }}"


def rewrite_select(text: str, prefixes: dict, ctx: str, x: str, path) -> tuple[str, list[str]]:
    """A SHACL-SPARQL ``sh:select`` over all focus nodes at once: ``(query, projected
    variable names)``, the focus variable ``x`` always projected, rows DISTINCT.

    :raises UnsupportedShape: a feature whose meaning pre-binding changes (MINUS,
        VALUES, sub-queries, aggregates …) or that this engine does not bind.
    """
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)
              if m.lastgroup not in ("ws", "comment")]
    words = [t[1].upper() for t in tokens if t[0] == "word"]
    names = {t[1][1:] for t in tokens if t[0] == "var"}
    refused = sorted(REFUSED & set(words)) + (["a sub-query"] if words.count("SELECT") != 1 else [])
    refused += sorted(f"${n}" for n in names & {"shapesGraph", "currentShape", "failure"})
    refused += sorted(f"?{n}" for n in names if n.startswith("q_"))
    if "PATH" in names and path is None:
        refused.append("$PATH outside a property shape")
    if refused:
        raise UnsupportedShape(f"SPARQL constraint uses {', '.join(refused)}", "shapes")
    select = next(i for i, t in enumerate(tokens) if t[0] == "word" and t[1].upper() == "SELECT")
    brace = next(i for i in range(select, len(tokens)) if tokens[i][1] == "{")
    projection = [t for t in tokens[select + 1:brace] if t[1].upper() not in ("DISTINCT", "REDUCED", "WHERE")]
    if any(t[1] == "*" for t in projection):
        raise UnsupportedShape("SPARQL constraint uses SELECT *", "shapes")
    projected = [t[1][1:] for t in projection if t[0] == "var"]

    def spell(start: int, end: int) -> str:
        """The text between two offsets, ``$this`` and ``$PATH`` replaced."""
        out, at = [], start
        for kind, t, a, b in tokens:
            if a >= start and b <= end and kind == "var" and t[1:] in ("this", "PATH"):
                out += [text[at:a], x if t[1:] == "this" else f"<{path}>"]
                at = b
        return "".join(out) + text[at:end]

    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
    focus = "" if "this" in projected else x + " "
    proj_start = projection[0][2] if projection else tokens[brace][2]
    query = (declared + spell(0, tokens[select][2]) + "SELECT DISTINCT " + focus
             + spell(proj_start, tokens[brace][2]) + "{ " + ctx + " " + spell(tokens[brace][3], len(text)))
    return chain_exists(query), projected


def statements(tokens) -> tuple[list, list]:
    """(triple patterns, filters) of a group's tokens, each a token list; ``([], [])``
    when the group holds anything else (``;``/``,`` abbreviations, BIND, OPTIONAL …)."""
    triples, filters, i = [], [], 0
    while i < len(tokens):
        if tokens[i][1] == ".":
            i += 1
        elif tokens[i][0] == "word" and tokens[i][1].upper() == "FILTER":
            j, depth, opened = i + 1, 0, False
            while j < len(tokens) and not (opened and depth == 0):
                depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
                opened = opened or tokens[j][1] == "("
                j += 1
            filters.append(tokens[i:j])
            i = j
        else:
            j = i
            while j < len(tokens) and tokens[j][1] != "." and not (
                    tokens[j][0] == "word" and tokens[j][1].upper() == "FILTER"):
                j += 1
            group = tokens[i:j]
            if any(t[1] in (";", ",") or (t[0] == "word" and t[1].upper() in REFUSED | {"BIND", "OPTIONAL", "UNION",
                                                                                     "EXISTS", "NOT"})
                   for t in group):
                return [], []
            triples.append(group)
            i = j
    return triples, filters


def chain_exists(query: str) -> str:
    """``EXISTS { t1 . t2 . FILTER(f) }`` (triple patterns and filters only) as
    ``EXISTS { t1 FILTER EXISTS { t2 FILTER(f) } }``: the same test under EXISTS'
    substitution semantics, but pyoxigraph 0.5 plans a multi-triple EXISTS without
    the outer bindings and re-scans it for every row (oxigraph issue #1951), while a
    one-triple EXISTS is an index lookup."""
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in TOKEN.finditer(query)
              if m.lastgroup not in ("ws", "comment")]
    for i, (kind, t, _, _) in enumerate(tokens):
        if not (kind == "word" and t.upper() == "EXISTS" and i + 1 < len(tokens) and tokens[i + 1][1] == "{"):
            continue
        end = next((j for j in range(i + 2, len(tokens)) if tokens[j][1] in "{}"), None)
        if end is None or tokens[end][1] != "}":
            continue  # a nested group: left as written
        triples, filters = statements(tokens[i + 2:end])
        if len(triples) < 2 or any(len(t) < 3 for t in triples):
            continue
        def text(group):
            return query[group[0][2]:group[-1][3]]
        inner = " ".join(text(f) for f in filters)
        for triple in reversed(triples[1:]):
            inner = f"{text(triple)} . {inner}".strip()
            inner = f"FILTER EXISTS {{ {inner} }}"
        rewritten = f"{{ {text(triples[0])} . {inner} }}"
        return chain_exists(query[:tokens[i + 1][2]] + rewritten + query[tokens[end][3]:])
    return query


class _Recorder:
    """An oracle that records the Python tests a compile asks for and answers none (so
    they can be run side by side before the real compile, which gives the same texts)."""

    def __init__(self, oracle):
        self.oracle, self.requests = oracle, []

    def __getattr__(self, name):
        return getattr(self.oracle, name)

    def failing(self, key, candidates: str, var: str) -> list[str]:
        self.requests.append((key, candidates, var))
        return []


class Engine:
    """Validation of one store against one shapes graph (see :func:`validate_store`)."""

    def __init__(self, store, shapes_graph, union: bool, graphs=None, plan: str = "auto"):
        from qkg.shacl_plan import Planner

        self.oracle = StoreOracle(store, union, graphs)
        self.convert = self.oracle.convert
        model, planner, recorder = ShapesModel(shapes_graph), Planner(self.oracle.count, plan), _Recorder(self.oracle)
        Compiler(model, recorder, planner).checks()
        self.oracle.prefetch(recorder.requests)
        self.checks = Compiler(model, self.oracle, planner).checks()
        for check in self.checks:
            if check.kind == "sparql":
                self.prepare(check)
            else:
                check.query = chain_exists(check.query)

    def prepare(self, check: Check) -> None:
        """Rewrite a SPARQL constraint's query (before any query runs, so an
        unsupported one falls back before validation starts)."""
        select = check.extra["select"]
        if len(select) != 1:
            raise UnsupportedShape(f"SPARQL constraint {check.extra['constraint'].n3()} needs one sh:select", "shapes")
        check.query, check.extra["projected"] = rewrite_select(
            str(select[0]), check.extra["prefixes"], check.extra["ctx"], check.focus, check.shape.path)

    def run(self) -> list[ShaclResult]:
        from qkg.parallel import map_threads

        out = []
        for results in map_threads(self.results, self.checks):  # one query per check, side by side
            out += results
        return sorted(out, key=lambda r: (r.focus, r.path or "", r.component, r.message))

    def results(self, check: Check) -> list[ShaclResult]:
        rows = list(self.oracle.query(check.query))
        focus_name, value_name = check.focus[1:], (check.value or "?")[1:]
        out = []
        for row in rows:
            focus = self.convert(row[focus_name])
            if check.kind == "sparql":
                out += self.sparql_results(check, row, focus)
                continue
            value = self.convert(row[value_name]) if check.kind in ("value", "pairs") else None
            if check.kind == "pairs":
                other = self.convert(row[check.extra["other"][1:]])
                if less(value, other, check.extra["op"]):
                    continue
            if check.kind == "qualified":
                n = int(row["q_n"].value)
                if check.extra["high"] is not None and n > check.extra["high"]:
                    out.append(self.result(check, focus, None, "QualifiedMaxCountConstraintComponent"))
                if n < check.extra["low"]:
                    out.append(self.result(check, focus, None, check.component))
                continue
            out.append(self.result(check, focus, value, check.component))
        return out

    def result(self, check: Check, focus, value, comp: str, path=None, messages=None) -> ShaclResult:
        shape = check.shape
        path = path if path is not None else shape.path
        if messages is None:
            messages = [str(m) for m in shape.messages] or [self.default_message(check, comp, focus, value)]
        return ShaclResult(focus=_s(focus), path=_s(path), value=_s(value), component=comp,
                           severity=shape.severity.rsplit("#", 1)[-1], message=min(messages), shape=_s(shape.node))

    @staticmethod
    def default_message(check: Check, comp: str, focus, value) -> str:
        name = comp.replace("ConstraintComponent", "")
        param = name[0].lower() + name[1:]
        args = check.shape.params.get("qualifiedValueShape" if param.startswith("qualified") else param, [])
        arg = args[0] if args else ""
        return DEFAULT_MESSAGES.get(name, "{comp}").format(
            arg=arg, focus=focus, path=check.shape.path, value=value, comp=comp)

    def sparql_results(self, check: Check, row, focus) -> list[ShaclResult]:
        """pyshacl's reading of one solution of a SPARQL constraint (``?this``,
        ``?path``, ``?value``; ``{?var}`` in messages replaced by the bindings)."""
        bound = {}
        for name in check.extra["projected"]:
            term = row[check.focus[1:]] if name == "this" else row[name]
            if term is not None:
                bound[name] = self.convert(term)
        this, path, value = bound.pop("this", None), bound.pop("path", None), bound.pop("value", None)
        if this is None and path is None and value is None:
            return []  # pyshacl reports nothing for such a row
        if value is None and check.shape.path is None:
            value = focus
        fill = {**bound, **{k: t for k, t in (("this", this), ("path", path), ("value", value)) if t is not None}}
        messages = []
        for m in [*check.extra["messages"], *check.shape.messages]:
            text = str(m)
            for var, term in fill.items():
                text = re.sub("{[?$]%s}" % var, str(term), text)
            messages.append(text)
        messages = messages or [self.default_message(check, check.component, focus, value)]
        return [self.result(check, this or focus, value, check.component, path, messages)]


def validate_store(store, shapes_graph, graphs=None, union: bool | None = None,
                   plan: str = "auto") -> list[ShaclResult]:
    """Validate a pyoxigraph store against ``shapes_graph`` (an rdflib graph).

    :param store: a :class:`pyoxigraph.Store` or the path of an on-disk store.
    :param graphs: named graph IRIs whose subjects are the only focus nodes to report
        (``None``: every focus node); the constraints still see the whole dataset.
    :param union: read the union of the named graphs (``True``) or the default graph
        (``False``); ``None`` decides from the store's manifest (:func:`store_union`).
    :param plan: ``auto``, ``scan`` or ``lookup``: how checks join a path's statements to
        the focus nodes (:mod:`qkg.shacl_plan`; the results are the same).
    :return: :class:`qkg.shacl.ShaclResult` records sorted as :func:`qkg.shacl.run_shacl` sorts them.
    :raises UnsupportedShape: the shapes use SHACL this engine does not compile.
    """
    import pyoxigraph as ox

    if not isinstance(store, ox.Store):
        union = store_union(store) if union is None else union
        store = ox.Store.read_only(str(store))
    results = Engine(store, shapes_graph, True if union is None else union, graphs, plan).run()
    if graphs is None:
        return results
    described = set()
    for g in graphs:
        described |= {_s_ox(q.subject) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))}
    return [r for r in results if r.focus in described]


def _s_ox(term) -> str:
    return f"_:{term.value}" if term.__class__.__name__ == "BlankNode" else term.value


__all__ = ["SH", "UnsupportedShape", "validate_store", "store_union", "rewrite_select"]
