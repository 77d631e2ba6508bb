"""Data checks: SPARQL queries in ``queries/checks/*-violation.rq``, zero rows = pass.

The suffix is the contract (as in the OBO ontology development kit): every row a
check returns is a finding. Each file starts with grlc-style metadata comments,
``#+ summary:`` (the message) and ``#+ severity:`` (violation, warning or info).
The focus node is the ``?focus`` variable (else the first one); a ``?graph``
variable names the graph to locate it in; other variables are shown in the message.
Checks run on the built dataset — asserted graphs plus the inferred graph — with the
default graph as the union of all named graphs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SUFFIX = "-violation.rq"
_META = re.compile(r"^#\+\s*([\w-]+)\s*:\s*(.*?)\s*$")


def metadata(text: str) -> dict[str, str]:
    """The ``#+ key: value`` comments at the top of a query (before its first other line)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _META.match(line.strip())
        if m:
            out[m.group(1).lower()] = m.group(2)
        elif not line.lstrip().startswith("#"):
            break
    return out


@dataclass
class Check:
    """One ``*-violation.rq`` file."""

    path: Path
    text: str
    meta: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name[: -len(SUFFIX)]

    @property
    def code(self) -> str:
        return "QKG-CHECK-" + self.name.upper()

    @property
    def summary(self) -> str:
        return self.meta.get("summary") or self.name.replace("-", " ")

    @property
    def severity(self) -> str:
        sev = self.meta.get("severity", "violation").lower()
        return sev if sev in ("violation", "warning", "info") else "violation"


def load(checks_dir: Path) -> list[Check]:
    """Every check of ``checks_dir``, in name order."""
    out = []
    for path in sorted(checks_dir.glob("*" + SUFFIX)):
        text = path.read_text(encoding="utf-8")
        out.append(Check(path, text, metadata(text)))
    return out


def execute(store, check: Check, merged: bool = False) -> list[dict]:
    """Run ``check`` on a pyoxigraph ``store``; rows as ``{variable: pyoxigraph term}``.

    :param merged: the store's default graph holds the merge of its named graphs (a
        fast build's store), so the check reads it instead of Oxigraph's union mode.

    :raises SyntaxError: the query does not parse (the queries stage says where).
    """
    raw = store.query(check.text, use_default_graph_as_union=not merged)
    names = [v.value for v in raw.variables]
    return [{n: sol[n] for n in names if sol[n] is not None} for sol in raw]


def run(ctx) -> list:
    """Stage 6: every row of every check is a finding."""
    from qkg.namespaces import shorten

    from qkg.parallel import map_threads

    store, merged, checks = ctx.store, ctx.merged, load(ctx.project.checks_dir)

    def rows_of(check: Check) -> list[dict] | Exception:
        try:
            return execute(store, check, merged)
        except (SyntaxError, OSError, ValueError) as exc:
            return exc

    out = []
    for check, rows in zip(checks, map_threads(rows_of, checks)):  # the checks run side by side
        rel = ctx.project.relative(check.path)
        if isinstance(rows, Exception):
            out.append(ctx.finding("QKG-CHECK-ERROR", "checks", "violation",
                                   f"the check did not run: {str(rows).splitlines()[0]}", file=rel))
            continue
        for row in rows:
            focus_var = "focus" if "focus" in row else next(iter(row), None)
            focus = _to_rdflib(row[focus_var]) if focus_var else None
            graph = row.get("graph")
            graph = graph.value if graph is not None else None
            if not ctx.whole and focus is not None and (graph or ctx.graph_of(focus)) not in ctx.scope:
                continue
            details = ", ".join(f"{k} {_show(v, shorten)}" for k, v in row.items() if k not in (focus_var, "graph"))
            msg = check.summary + (f" ({details})" if details else "") + f" [{rel}]"
            out.append(ctx.finding(check.code, "checks", check.severity, msg, focus=focus, graph=graph))
    return out


def _to_rdflib(term):
    from qkg.context import from_ox as _from_ox

    return _from_ox(term)


def _show(term, shorten) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal):
        return f"\"{term.value}\""
    return str(term)
