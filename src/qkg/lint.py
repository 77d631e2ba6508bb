"""Lint of the stored queries (``queries/*.rq``) and data checks (``queries/checks/*.rq``).

Four findings: a query that is not strict SPARQL 1.1 (parsed with rdflib's parser,
which knows no engine-specific extension); an OPTIONAL placed before the patterns
that bind its join variables in the same group — Oxigraph does not reorder joins
around OPTIONAL, so the OPTIONAL then runs over everything (measured: 102 s against
0.12 s on 1M triples, ../shared/MODELING.md); an OPTIONAL whose group Oxigraph 0.5
evaluates on its own, over the whole dataset (patterns on several subjects, or a
sub-select); and missing ``#+ summary:`` metadata.

The two OPTIONAL warnings are about speed, and a query may know better: an OPTIONAL
sub-select read once and joined by hash is the fast shape when every row of the data
is a row of the answer. A comment ``# qkg-lint: allow QKG-OPTIONAL-BODY -- why`` allows
the named warnings from its line to the end of the group it stands in; one without a
reason, or that allows nothing, is a warning of its own (``QKG-LINT-ALLOW``).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<comment>#[^\n]*)"
    r'|(?P<string>"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)|(?P<var>[?$][\w]+)"
    r"|(?P<word>[A-Za-z_][\w-]*(?::[\w.-]*)?|:[\w.-]*)"
    r"|(?P<punct>[{}().;,])|(?P<other>.)",
    re.S,
)
_BINDING = ("triples", "group", "bind", "values")
#: ``# qkg-lint: allow CODE[, CODE] -- reason``
_ALLOW = re.compile(r"#\s*qkg-lint:\s*allow\s+([\w-]+(?:\s*,\s*[\w-]+)*)\s*(?:--\s*(.*?))?\s*$")
#: the warnings a query may allow: about speed, not meaning
ALLOWABLE = ("QKG-OPTIONAL-ORDER", "QKG-OPTIONAL-BODY")


@dataclass
class _Element:
    kind: str  # triples | group | bind | values | optional | other
    vars: set = field(default_factory=set)
    line: int = 0
    blocks: int = 0  # an OPTIONAL's triple blocks (subjects) at the top of its group
    select: bool = False  # an OPTIONAL whose group is a sub-select


class _Groups:
    """Reads the group structure of a query's tokens and collects OPTIONAL warnings."""

    def __init__(self, text: str):
        self.toks = []
        line = 1
        for m in _TOKEN.finditer(text):
            if m.lastgroup not in ("ws", "comment"):
                self.toks.append((m.lastgroup, m.group(), line))
            line += m.group().count("\n")
        self.i = 0
        self.warnings: list[tuple[int, list[str]]] = []
        #: ``(line, what)`` for each OPTIONAL Oxigraph 0.5 evaluates over the whole dataset
        self.bodies: list[tuple[int, str]] = []
        self._shape = (0, False)  # (triple blocks, sub-select) of the group read last

    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("eof", "", 0)

    def run(self):
        while self.peek()[0] != "eof":
            if self.peek()[1] == "{":
                self.i += 1
                self.group()
            else:
                self.i += 1
        return self.warnings

    def head_vars(self) -> set[str]:
        """The variables before the next ``{`` (a GRAPH, SERVICE or VALUES head); the
        ``{`` is consumed."""
        head = set()
        while self.peek()[1] != "{" and self.peek()[0] != "eof":
            if self.peek()[0] == "var":
                head.add(self.peek()[1][1:])
            self.i += 1
        self.i += 1
        return head

    def group(self) -> set:
        """Read up to the matching ``}``; return every variable seen inside."""
        elements: list[_Element] = []
        seen: set = set()
        select = False
        while True:
            kind, val, line = self.peek()
            up = val.upper()
            if kind == "eof":
                break
            self.i += 1
            if val == "}":
                break
            if val == "{":
                inner = self.group()
                while self.peek()[1].upper() == "UNION" and self.peek(1)[1] == "{":
                    self.i += 2
                    inner |= self.group()
                elements.append(_Element("group", inner, line))
            elif up in ("OPTIONAL", "MINUS") and self.peek()[1] == "{":
                self.i += 1
                inner = self.group()
                elements.append(_Element("optional" if up == "OPTIONAL" else "other", inner, line, *self._shape))
            elif up in ("GRAPH", "SERVICE"):
                head = self.head_vars()
                elements.append(_Element("group", head | self.group(), line))
            elif up == "FILTER":
                self.skip_expression()
            elif up == "BIND":
                vars_ = self.skip_expression()
                elements.append(_Element("bind", set(vars_[-1:]), line))
            elif up == "VALUES":
                head = self.head_vars()
                self.group()
                elements.append(_Element("values", head, line))
            elif kind == "var":
                if elements and elements[-1].kind == "triples":
                    elements[-1].vars.add(val[1:])
                else:
                    elements.append(_Element("triples", {val[1:]}, line))
            elif val == ".":
                if elements and elements[-1].kind == "triples":
                    elements.append(_Element("other"))  # ends the block
            elif up == "SELECT":
                select = True
            elif kind in ("iri", "word", "string", "punct", "other") and up not in ("WHERE", "DISTINCT"):
                if not elements or elements[-1].kind != "triples":
                    elements.append(_Element("triples", set(), line))
        for el in elements:
            seen |= el.vars
        self.check(elements)
        self._shape = (sum(1 for e in elements if e.kind == "triples"), select)
        return seen

    def skip_expression(self) -> list[str]:
        """Skip a parenthesized expression (or EXISTS group); return its variables in order."""
        vars_: list[str] = []
        depth = 0
        while self.peek()[0] != "eof":
            kind, val, _ = self.peek()
            if val == "{" and depth == 0:
                self.i += 1
                vars_ += sorted(self.group())
                return vars_
            self.i += 1
            if kind == "var":
                vars_.append(val[1:])
            elif val == "(":
                depth += 1
            elif val == ")":
                depth -= 1
                if depth <= 0:
                    return vars_
        return vars_

    def check(self, elements: list[_Element]) -> None:
        for n, el in enumerate(elements):
            if el.kind != "optional":
                continue
            if el.select:
                self.bodies.append((el.line, "a sub-select"))
            elif el.blocks > 1:
                self.bodies.append((el.line, f"{el.blocks} triple patterns on different subjects"))
            before = set().union(*(e.vars for e in elements[:n] if e.kind in _BINDING))
            after = set().union(*(e.vars for e in elements[n + 1:] if e.kind in _BINDING))
            late = sorted((el.vars & after) - before)
            if late:
                self.warnings.append((el.line, late))


def optional_order(text: str) -> list[tuple[int, list[str]]]:
    """``(line, variables)`` for each OPTIONAL that precedes the patterns binding its variables."""
    return _Groups(text).run()


def optional_bodies(text: str) -> list[tuple[int, str]]:
    """``(line, what)`` for each OPTIONAL whose group Oxigraph 0.5 evaluates on its own,
    over the whole dataset, and then joins by hash: one of several triple blocks
    (patterns on different subjects) or a sub-select. An OPTIONAL of one pattern (or of
    one subject's patterns), nesting the next step, runs once per row instead
    (measured at 1M triples: 1.7 s against 5 ms for describe-actor's sources)."""
    groups = _Groups(text)
    groups.run()
    return groups.bodies


@dataclass
class Allowance:
    """One ``# qkg-lint: allow`` comment: its codes, its reason and the lines it covers."""

    line: int
    codes: tuple[str, ...]
    reason: str
    end: int  # the line of the ``}`` that closes the comment's group
    used: bool = False


def allowances(text: str) -> list[Allowance]:
    """The ``# qkg-lint: allow`` comments of ``text``, each covering the rest of its group."""
    out: list[Allowance] = []
    open_: list[list[Allowance]] = [[]]  # the allowances of each enclosing group
    line = 1
    for m in _TOKEN.finditer(text):
        kind, val = m.lastgroup, m.group()
        if kind == "comment" and (a := _ALLOW.match(val)):
            codes = tuple(c.strip().upper() for c in a.group(1).split(","))
            out.append(Allowance(line, codes, (a.group(2) or "").strip(), end=text.count("\n") + 1))
            open_[-1].append(out[-1])
        elif kind == "punct" and val == "{":
            open_.append([])
        elif kind == "punct" and val == "}" and len(open_) > 1:
            for allowed in open_.pop():
                allowed.end = line
        line += val.count("\n")
    return out


def _apply_allowances(text: str, findings: list, shown: str) -> list:
    """``findings`` less those an allowance with a reason covers, plus a warning for
    each allowance without a reason, of a code that cannot be allowed, or unused."""
    from qkg.validate import Finding

    out, notes = [], []
    given = allowances(text)
    for allowed in given:
        wrong = [c for c in allowed.codes if c not in ALLOWABLE]
        if wrong:
            notes.append(Finding("QKG-LINT-ALLOW", "queries", "warning",
                                 f"{', '.join(wrong)} cannot be allowed: only {', '.join(ALLOWABLE)} can",
                                 shown, allowed.line))
        elif not allowed.reason:
            notes.append(Finding("QKG-LINT-ALLOW", "queries", "warning",
                                 "an allowance without a reason: say why after '--' "
                                 f"('# qkg-lint: allow {', '.join(allowed.codes)} -- why')", shown, allowed.line))
    for finding in findings:
        cover = [a for a in given if a.reason and finding.code in a.codes and finding.code in ALLOWABLE
                 and finding.line is not None and a.line <= finding.line <= a.end]
        for allowed in cover:
            allowed.used = True
        if not cover:
            out.append(finding)
    for allowed in given:
        if allowed.reason and not allowed.used and all(c in ALLOWABLE for c in allowed.codes):
            notes.append(Finding("QKG-LINT-ALLOW", "queries", "warning",
                                 f"allows {', '.join(allowed.codes)}, but no such warning is in its group "
                                 f"(lines {allowed.line}-{allowed.end}): remove it", shown, allowed.line))
    return out + notes


def lint_file(path: Path, shown: str, is_check: bool = False, parsed: dict | None = None) -> list:
    """Findings for one query file.

    :param parsed: a cache of :func:`strict_parse` answers by the text's SHA-256.
    """
    from qkg.checks import metadata
    from qkg.validate import Finding

    text = path.read_text(encoding="utf-8")
    out = []
    key = hashlib.sha256(text.encode()).hexdigest()
    if parsed is not None and key in parsed:
        error = parsed[key]
    else:
        error = strict_parse(text)
        if parsed is not None:
            parsed[key] = error
    if error:
        line, col, msg = error
        out.append(Finding("QKG-QUERY-SYNTAX", "queries", "violation", f"not SPARQL 1.1: {msg}", shown, line, col=col))
    groups = _Groups(text)  # one read of the groups for both OPTIONAL warnings
    for line, late in groups.run():
        names = ", ".join("?" + v for v in late)
        out.append(Finding("QKG-OPTIONAL-ORDER", "queries", "warning",
                           f"OPTIONAL before the patterns that bind {names}: move the OPTIONAL after the "
                           f"patterns that bind {names} (Oxigraph does not reorder joins around OPTIONAL)",
                           shown, line))
    for line, what in groups.bodies:
        out.append(Finding("QKG-OPTIONAL-BODY", "queries", "warning",
                           f"OPTIONAL of {what}: Oxigraph computes it over the whole dataset before joining; "
                           "put one pattern in each OPTIONAL and nest the next step inside it, or, when "
                           "every row of the data is a row of the answer, say so: "
                           "'# qkg-lint: allow QKG-OPTIONAL-BODY -- why'", shown, line))
    out = _apply_allowances(text, out, shown)
    meta = metadata(text)
    if not meta.get("summary"):
        out.append(Finding("QKG-QUERY-METADATA", "queries", "warning",
                           "no '#+ summary:' comment at the top; say in one line what the query answers", shown, 1))
    if is_check and meta.get("severity", "violation").lower() not in ("violation", "warning", "info"):
        out.append(Finding("QKG-QUERY-METADATA", "queries", "violation",
                           f"'#+ severity: {meta['severity']}' is not one of violation, warning, info", shown, 1))
    return out


def strict_parse(text: str) -> tuple[int | None, int | None, str] | None:
    """``(line, col, message)`` when rdflib's SPARQL 1.1 parser refuses ``text``, else None."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(text)
    except Exception as exc:  # pyparsing.ParseException, or rdflib's own for unknown prefixes
        line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
        msg = getattr(exc, "msg", None) or str(exc)
        return line, col, str(msg).strip().splitlines()[0] if str(msg).strip() else "syntax error"
    return None


def run(project) -> list:
    """Stage 8: lint every stored query and every data check of ``project``.

    rdflib's parser takes ~20 ms a query, so its answers are kept in the cache
    directory by the SHA-256 of each text (and the rdflib version).
    """
    cache_file = project.cache_dir / "lint-cache.json"
    parsed = _read_cache(cache_file)
    before = dict(parsed)
    out = []
    for path in sorted(project.queries_dir.glob("*.rq")):
        out += lint_file(path, project.relative(path), parsed=parsed)
    for path in sorted(project.checks_dir.glob("*.rq")):
        out += lint_file(path, project.relative(path), is_check=True, parsed=parsed)
    if parsed != before:
        _write_cache(cache_file, parsed)
    return out


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("rdflib")
    except metadata.PackageNotFoundError:
        return "unknown"


def _read_cache(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("rdflib") != _version():
        return {}
    return {k: (tuple(v) if v else None) for k, v in doc.get("parsed", {}).items()}


def _write_cache(path: Path, parsed: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"rdflib": _version(), "parsed": parsed}))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only checkout still validates, only slower
