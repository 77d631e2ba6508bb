"""SPARQL query text: lexical tokens, the query's form and dataset clause, and
parameters bound by value (pasted as terms where a term can stand, else ``VALUES``).

Everything here reads text only; :mod:`qkg.store` runs the queries.
"""
from __future__ import annotations

import re

from qkg.errors import QuerySyntaxError, UsageError

_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")


#: SPARQL lexical tokens, enough to find keywords, braces and variables outside
#: comments, strings and IRIs (SPARQL 1.1 Query, section 19.8).
_TOKEN = re.compile(
    r'(?P<comment>#[^\n]*)|(?P<string>"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)|(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)|(?P<brace>[{}])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_\-.]*(?::[A-Za-z0-9_\-.%]*)?)|(?P<other>.)",
    re.S,
)


def tokens(text: str):
    """``(kind, text, start, end)`` for each lexical token of a SPARQL query."""
    for m in _TOKEN.finditer(text):
        yield m.lastgroup, m.group(), m.start(), m.end()


def variables(text: str) -> list[str]:
    """The names (without ``?``) of the variables a query mentions, in order of first use."""
    seen: dict[str, None] = {}
    for kind, tok, _, _ in tokens(text):
        if kind == "var":
            seen.setdefault(tok[1:])
    return list(seen)


def declares_dataset(text: str) -> bool:
    """True if the query has its own dataset clause (FROM or FROM NAMED outside any group).

    pyoxigraph's ``use_default_graph_as_union`` would override it, so such queries run
    on the dataset they declare (SPARQL 1.1 Query, 13.2).
    """
    depth = 0
    for kind, tok, _, _ in tokens(text):
        if kind == "brace":
            depth += 1 if tok == "{" else -1
        elif kind == "word" and depth == 0 and tok.upper() == "FROM":
            return True
    return False


def query_form(text: str) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE), read past the prologue."""
    for kind, tok, _, _ in tokens(text):
        if kind == "word" and tok.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return {"SELECT": "select", "ASK": "ask"}.get(tok.upper(), "graph")
    return "select"


def is_ordered(text: str) -> bool:
    """Whether the outermost query has an ``ORDER BY`` (solution order is meaningful)."""
    depth, previous = 0, ""
    for kind, tok, _, _ in tokens(text):
        if kind == "brace":
            depth += 1 if tok == "{" else -1
        elif kind == "word":
            if depth == 0 and previous == "ORDER" and tok.upper() == "BY":
                return True
            previous = tok.upper()
    return False


#: Clauses whose variables a term cannot replace (up to the next brace, WHERE, LIMIT or OFFSET).
_CLAUSES = frozenset(("SELECT", "VALUES", "GROUP", "ORDER", "HAVING"))


def _check_bindings(bindings: dict) -> None:
    import pyoxigraph as ox

    for name, term in bindings.items():
        if not _VARIABLE_NAME.match(name):
            raise UsageError(f"{name!r} is not a SPARQL variable name", "bindings")
        if not isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
            raise UsageError(f"the value of ?{name} must be a pyoxigraph term, not {type(term).__name__}", "bindings")


def substitute(text: str, bindings: dict) -> str | None:
    """Paste each bound term over its variable, as grlc does, or ``None`` where a term
    cannot stand: a variable in a projection, after ``AS``, in a ``VALUES`` header or a
    solution modifier (``GROUP BY``, ``HAVING``, ``ORDER BY``), or a blank node (which a
    query would read as a fresh variable).

    Constants let Oxigraph's optimizer push each FILTER down to the pattern that binds
    its other variables; a ``VALUES`` block joined in at the top keeps every FILTER
    that mentions a parameter above the joins (measured 4x on the timeline at 1M).
    The terms are serialized by pyoxigraph, so a value is always one token.
    """
    import pyoxigraph as ox

    _check_bindings(bindings)
    if any(isinstance(t, ox.BlankNode) for t in bindings.values()):
        return None
    wanted = {f"{c}{k}": str(t) for k, t in bindings.items() for c in "?$"}
    out, last, clause, previous = [], 0, None, ""
    for kind, tok, start, end in tokens(text):
        if kind in ("comment",) or tok.isspace():
            continue
        word = tok.upper() if kind == "word" else ""
        if word in _CLAUSES:
            clause = word
        elif kind == "brace" or word in ("WHERE", "LIMIT", "OFFSET"):
            clause = None
        if kind == "var" and tok in wanted:
            if clause is not None or previous == "AS":
                return None
            out.append(text[last:start] + wanted[tok])
            last = end
        previous = word
    return "".join(out) + text[last:]


def bind(text: str, bindings: dict) -> str:
    """``text`` with ``bindings`` (variable name → pyoxigraph term) applied by value:
    pasted over the variables (:func:`substitute`) where a term can stand, else by
    ``VALUES`` blocks (:func:`inject_values`)."""
    if not bindings:
        return text
    return substitute(text, bindings) or inject_values(text, bindings)


def inject_values(text: str, bindings: dict) -> str:
    """Bind variables by value: add ``VALUES (?a ?b) { (t1 t2) }`` at the top of every
    group graph pattern of the query (the WHERE group, each nested group, OPTIONAL,
    UNION branch, GRAPH, EXISTS and MINUS group, and each subquery's WHERE).

    Groups that never mention a bound variable are left alone. The effect is that of
    substituting the terms for the variables (as grlc does by pasting text), including
    inside subqueries and nested FILTERs, but the terms are serialized by pyoxigraph
    (escaped N-Triples syntax), so a value can never close the block or add a clause.
    Binding each group, not just the outermost, also lets Oxigraph start each branch
    from the bound term (measured 2-5x faster on the stored queries).

    :raises UsageError: a binding name that is not a SPARQL variable name.
    :raises QuerySyntaxError: a query with no group, or the ``CONSTRUCT WHERE`` short
        form (whose group is also the template).
    """
    _check_bindings(bindings)
    block = " VALUES ({}) {{ ({}) }} ".format(" ".join(f"?{k}" for k in bindings),
                                             " ".join(str(v) for v in bindings.values()))
    toks = [t for t in tokens(text) if t[0] != "comment" and not t[1].isspace()]
    closing, stack = {}, []
    for n, (kind, tok, _, _) in enumerate(toks):
        if kind == "brace" and tok == "{":
            stack.append(n)
        elif kind == "brace" and stack:
            closing[stack.pop()] = n
    wanted = {f"?{k}" for k in bindings} | {f"${k}" for k in bindings}
    out, last, depth = [], 0, 0
    form, seen_where, template, values_next, data_depth = None, False, False, False, None
    for n, (kind, tok, _, end) in enumerate(toks):
        word = tok.upper() if kind == "word" else ""
        if depth == 0 and form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = word
        seen_where = seen_where or (word == "WHERE" and depth == 0)
        values_next = values_next or word == "VALUES"
        if kind != "brace":
            continue
        if tok == "}":
            depth -= 1
            if depth == data_depth:
                data_depth = None
            continue
        depth += 1
        if data_depth is not None:
            continue
        if values_next:  # the braces of VALUES hold data, not a pattern
            values_next, data_depth = False, depth - 1
            continue
        if form == "CONSTRUCT" and depth == 1 and not seen_where:
            template = True
            continue
        if form == "CONSTRUCT" and depth == 1 and not template:
            raise QuerySyntaxError("parameters cannot be bound in the CONSTRUCT WHERE short form; "
                                   "write CONSTRUCT { template } WHERE { pattern }", "query")
        if n + 1 < len(toks) and toks[n + 1][1].upper() == "SELECT":
            continue  # a subquery's group holds only the subquery
        if not any(t[1] in wanted for t in toks[n:closing.get(n, len(toks))]):
            continue  # a group that never mentions a parameter needs no binding
        out.append(text[last:end] + block)
        last = end
    if not closing:
        raise QuerySyntaxError("no WHERE clause to bind parameters in", "query")
    return "".join(out) + text[last:]
