"""The stored-query catalog: the ``queries/*.rq`` files, their parameters, and running them.

Each file is a plain SPARQL 1.1 query with grlc metadata in ``#+ key: value`` comment
lines (``summary``, ``description``, ``tags``, ``defaults``, ``enumerate``; qkg also
reads ``params``, one description per parameter, which grlc ignores). Parameters follow
grlc's naming convention (https://github.com/CLARIAH/grlc#parameter-mapping): ``?_name``
is required, ``?__name`` optional, and a suffix gives the type — ``_iri``, ``_integer``,
``_xsd_date``, none for a string. On the command line a parameter goes by its bare name
(``-p from=2021-01-01``). Values are parsed and checked here, then bound by value (see
:func:`qkg.sparql_text.bind`); an optional parameter left out stays unbound.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qkg.errors import QkgError, UsageError
from qkg.namespaces import PREFIXES, XSD
from qkg.sparql_text import is_ordered, query_form, variables

#: Parameter types qkg binds, with what a value must look like.
TYPES = {
    "iri": "an IRI or prefixed name, e.g. qorg:q-star",
    "integer": "an integer, e.g. 2",
    "xsd_date": "a date YYYY-MM-DD, e.g. 2021-04-01",
    "string": "any text",
}
_PARAM = re.compile(
    r"^(?P<required>_{1,2})(?P<name>[A-Za-z0-9]+)"
    r"(?:_(?P<prefix>[A-Za-z0-9]+)_(?P<local>[A-Za-z0-9]+)|_(?P<type>[A-Za-z0-9]+))?$"
)
_DATE, _INTEGER = re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"[+-]?\d{1,30}")
_PREFIXED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(.*)$", re.S)
_SCHEMES = ("http", "https", "urn", "mailto", "tag", "file", "ftp", "did", "doi")

#: Stored queries the main job shows: (query name, parameters, title).
SHOWCASE: list[tuple[str, dict[str, str], str]] = [
    ("list-events-timeline", {}, "Timeline: every dated event, in order"),
    ("describe-actor", {"actor": "qorg:q-star"}, "Profile of Q-STAR across all documents"),
    ("list-topics", {"topic": "qtopic:international-collaboration"},
     "What addresses international collaboration (synonyms included)"),
    ("list-membership-observations", {"org": "qorg:q-star"}, "Q-STAR's membership over time"),
    ("trace-provenance", {"entity": "qorg:q-star"}, "Where the facts about Q-STAR come from"),
]


def _show(value) -> str:
    """A value for an error message: one line, escaped, shortened."""
    return repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."


@dataclass(frozen=True)
class Parameter:
    """One parameter of a stored query.

    :param name: the bare name used on the command line and in the API (``from``).
    :param variable: the query variable it binds, without ``?`` (``__from_xsd_date``).
    :param type: ``iri``, ``integer``, ``xsd_date`` or ``string``.
    """

    name: str
    variable: str
    type: str
    required: bool
    default: str | None = None
    enumerate: list[str] | None = None
    description: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def parse(self, value):
        """The pyoxigraph term for ``value`` (a string, or an int or date from the API).

        :raises UsageError: the value is not of the parameter's type.
        """
        import datetime

        import pyoxigraph as ox

        where = f"parameter {self.name!r}"
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                raise UsageError(f"the value is not valid UTF-8: {_show(value)}", where) from None
        if isinstance(value, bool) or not isinstance(value, (str, int, datetime.date)):
            raise UsageError(f"expected {TYPES[self.type]}, got a {type(value).__name__}", where)
        text = value.isoformat() if isinstance(value, datetime.date) else str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"the value is not valid UTF-8: {_show(text)}", where) from None
        if self.type == "iri":
            return ox.NamedNode(expand_iri(text, where))
        if self.type == "xsd_date":
            text = text.strip()
            try:
                if not _DATE.fullmatch(text):
                    raise ValueError
                datetime.date.fromisoformat(text)
            except ValueError:
                raise UsageError(f"expected {TYPES['xsd_date']}, got {_show(text)}", where) from None
            return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))
        if self.type == "integer":
            if not _INTEGER.fullmatch(text.strip()):
                raise UsageError(f"expected {TYPES['integer']}, got {_show(text)}", where)
            return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
        return ox.Literal(text)


def expand_iri(text: str, where: str = "IRI") -> str:
    """A full IRI from a full IRI (optionally in ``<>``) or a prefixed name with a
    known prefix (:data:`qkg.namespaces.PREFIXES`).

    :raises UsageError: neither, or not a valid IRI.
    """
    import pyoxigraph as ox

    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    m = _PREFIXED.match(text)
    if m and m.group(1) in PREFIXES:
        iri = PREFIXES[m.group(1)] + m.group(2)
    elif m and (m.group(2).startswith("//") or m.group(1).lower() in _SCHEMES):
        iri = text
    else:
        known = ", ".join(sorted(PREFIXES))
        raise UsageError(f"expected a full IRI or a prefixed name, got {_show(text)}; "
                         f"known prefixes: {known}", where)
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        detail = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(exc))
        raise UsageError(f"not a valid IRI: {_show(text)} ({detail})", where) from None
    return iri


@dataclass
class StoredQuery:
    """A stored query: its metadata, parameters and text."""

    name: str
    path: Path
    summary: str
    description: str
    tags: list[str]
    parameters: list[Parameter]
    text: str
    form: str  # "select" | "ask" | "graph"
    ordered: bool

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``; :raises UsageError: if there is none."""
        for p in self.parameters:
            if p.name == name:
                return p
        import difflib

        names = [p.name for p in self.parameters]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        listed = ", ".join(names) if names else "none"
        raise UsageError(f"query {self.name!r} has no such parameter; {hint}its parameters: {listed}",
                         f"parameter {name!r}")

    def bind(self, values: dict | None = None) -> dict:
        """Parse ``values`` (bare parameter name → value) into pyoxigraph terms keyed by
        query variable, adding defaults. An empty value counts as not given.

        :raises UsageError: an unknown parameter, a missing required one, or a value of
            the wrong type or outside the parameter's enumeration; naming the parameter.
        """
        given = {k: v for k, v in (values or {}).items() if v is not None and v != ""}
        for key in given:
            self.parameter(key)
        bound = {}
        for p in self.parameters:
            if p.name in given:
                term = p.parse(given[p.name])
            elif p.default is not None:
                term = p.parse(p.default)
            elif p.required:
                raise UsageError(f"query {self.name!r} needs this parameter: {TYPES[p.type]}",
                                 f"parameter {p.name!r}")
            else:
                continue
            allowed = [expand_iri(e, p.name) if p.type == "iri" else e for e in p.enumerate or []]
            if p.enumerate and term.value not in allowed:
                raise UsageError(f"{_show(term.value)} is not one of: {', '.join(p.enumerate)}",
                                 f"parameter {p.name!r}")
            bound[p.variable] = term
        return bound

    def to_dict(self) -> dict:
        return {"name": self.name, "summary": self.summary, "description": self.description,
                "tags": self.tags, "form": self.form, "ordered": self.ordered,
                "parameters": [p.to_dict() for p in self.parameters]}


def parse_query_file(path: Path, text: str | None = None) -> StoredQuery:
    """Read one ``.rq`` file into a :class:`StoredQuery`.

    :raises QkgError: unreadable file, malformed metadata, or an unsupported parameter type.
    """
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QkgError(f"cannot read the query: {exc}", str(path)) from None
    meta = read_metadata(text, str(path))
    defaults = {k: str(v) for k, v in entries(meta.get("defaults"), str(path), "defaults")}
    enums = {k: [str(x) for x in v] for k, v in entries(meta.get("enumerate"), str(path), "enumerate")
             if isinstance(v, list)}
    docs = {k: str(v) for k, v in entries(meta.get("params"), str(path), "params")}
    params: dict[str, Parameter] = {}
    for var in variables(text):
        m = _PARAM.match(var)
        if not var.startswith("_") or not m:
            continue
        kind = _param_type(m, var, path)
        p = Parameter(m.group("name"), var, kind, len(m.group("required")) == 1,
                      defaults.get(m.group("name")), enums.get(m.group("name")), docs.get(m.group("name"), ""))
        other = params.get(p.name)
        if other and other.variable != var:
            raise QkgError(f"parameter {p.name!r} is spelled both ?{other.variable} and ?{var}", str(path))
        params[p.name] = p
    for key in [*defaults, *enums, *docs]:
        if key not in params:
            raise QkgError(f"metadata names {key!r}, which is not a parameter of the query", str(path))
    tags = meta.get("tags") or []
    return StoredQuery(path.stem, path, str(meta.get("summary", "")), str(meta.get("description", "")),
                       [str(t) for t in (tags if isinstance(tags, list) else [tags])], list(params.values()),
                       text, query_form(text), is_ordered(text))


_KEY = re.compile(r"^([A-Za-z0-9_-]+):(?:\s+(.*))?$")


def read_metadata(text: str, where: str = "query") -> dict:
    """The grlc metadata of a query: its ``#+`` lines read as YAML (the block subset
    grlc's files use: ``key: value``, ``key:`` over a list, ``- name: value`` items,
    quoted and ``[flow, lists]`` scalars, plain scalars folded over indented lines).

    :raises QkgError: metadata this subset (or YAML) would read differently.
    """
    rows = [(no, row.lstrip("#+").rstrip()) for no, row in enumerate(text.splitlines(), 1)
            if row.startswith("#+")]
    rows = [(no, row) for no, row in rows if row.strip()]
    if not rows:
        return {}
    value, end = _block(rows, 0, _indent(rows[0][1]), where)
    if end < len(rows) or not isinstance(value, dict):
        raise QkgError("metadata is not a 'key: value' mapping", f"{where}:{rows[min(end, len(rows) - 1)][0]}")
    return value


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip(" "))


def _block(rows, i, indent, where):
    """Parse the mapping or list whose lines start at ``rows[i]`` with ``indent``."""
    is_list = rows[i][1].strip().startswith("- ") or rows[i][1].strip() == "-"
    out: dict | list = [] if is_list else {}
    while i < len(rows) and _indent(rows[i][1]) == indent:
        no, row = rows[i]
        body = row.strip()
        if is_list != (body.startswith("- ") or body == "-"):
            raise QkgError("mixes list items and keys at one level", f"{where}:{no}")
        if is_list:
            body = body[1:].strip()
        m = _KEY.match(body)
        if m:
            key, rest = m.group(1), m.group(2)
            if rest:
                value, i = _scalar(rows, i, rest, indent, where)
            elif i + 1 < len(rows) and _indent(rows[i + 1][1]) > indent:
                value, i = _block(rows, i + 1, _indent(rows[i + 1][1]), where)
            else:
                value, i = None, i + 1
            item = {key: value}
        else:
            if not is_list:
                raise QkgError(f"expected 'key: value', got {_show(body)}", f"{where}:{no}")
            item, i = _scalar(rows, i, body, indent, where)
        if is_list:
            out.append(item)
        else:
            out.update(item)
    if i < len(rows) and _indent(rows[i][1]) > indent:
        raise QkgError("unexpected indentation", f"{where}:{rows[i][0]}")
    return out, i


def _scalar(rows, i, text, indent, where):
    """A scalar starting on ``rows[i]``, folding more-indented plain continuation lines."""
    import json

    no = rows[i][0]
    i += 1
    if text.startswith('"'):
        try:
            return json.loads(text), i
        except ValueError:
            raise QkgError("a double-quoted value must end on its line", f"{where}:{no}") from None
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            raise QkgError("a single-quoted value must end on its line", f"{where}:{no}")
        return text[1:-1].replace("''", "'"), i
    if text.startswith("[") and text.endswith("]"):
        return [x.strip() for x in text[1:-1].split(",") if x.strip()], i
    parts = [text]
    while i < len(rows) and _indent(rows[i][1]) > indent and not _KEY.match(rows[i][1].strip()):
        parts.append(rows[i][1].strip())
        i += 1
    value = " ".join(parts)
    if ": " in value or " #" in value or value[0] in "[]{}&*!|>%@`,":
        raise QkgError(f"quote this value (YAML would read it differently): {_show(value)}", f"{where}:{no}")
    return value, i


def entries(value, where: str, key: str):
    """``(name, value)`` of a grlc ``- name: value`` list (``defaults``, ``enumerate``);
    bare names (grlc: enumerate from the endpoint) are skipped."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise QkgError(f"'{key}' must be a list of '- name: value' items", where)
    return [(k, v) for item in value if isinstance(item, dict) for k, v in item.items()]


def _param_type(m, var: str, path: Path) -> str:
    prefix, local, kind = m.group("prefix"), m.group("local"), m.group("type")
    if kind is None and prefix is None or kind in ("string", "literal"):
        return "string"
    if kind == "iri":
        return "iri"
    if kind == "integer" or (prefix, local) == ("xsd", "integer"):
        return "integer"
    if (prefix, local) == ("xsd", "date"):
        return "xsd_date"
    raise QkgError(f"?{var}: unsupported parameter type; use _iri, _integer, _xsd_date or none (a string)",
                   str(path))


@dataclass
class Catalog:
    """Every stored query of a project, by name."""

    directory: Path
    queries: dict[str, StoredQuery] = field(default_factory=dict)

    @classmethod
    def load(cls, project=None) -> "Catalog":
        """Read ``queries/*.rq`` of ``project`` (default: :meth:`Project.find`);
        ``queries/checks/`` holds data checks, not analyst queries, and is skipped."""
        from qkg.paths import Project

        project = project or Project.find()
        if isinstance(project, (str, Path)):
            project = Project(Path(project).resolve())
        directory = project.queries_dir
        queries = {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}
        return cls(directory, queries)

    def names(self) -> list[str]:
        return sorted(self.queries)

    def __iter__(self):
        return iter(self.queries[n] for n in self.names())

    def __len__(self) -> int:
        return len(self.queries)

    def get(self, name: str) -> StoredQuery:
        """The query called ``name`` (a trailing ``.rq`` is ignored).

        :raises UsageError: no such query, with the closest names as suggestions.
        """
        import difflib

        key = name[:-3] if name.endswith(".rq") else name
        if key in self.queries:
            return self.queries[key]
        close = difflib.get_close_matches(key, self.names(), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise UsageError(f"unknown query {_show(name)}; {hint}('qkg queries' lists all {len(self)})", "query")

    def run(self, backend, name_or_query, values: dict | None = None):
        """Bind ``values`` and run the query on ``backend``; returns a :class:`qkg.store.Result`."""
        return run(backend, name_or_query if isinstance(name_or_query, StoredQuery) else self.get(name_or_query),
                   values)


def run(backend, query: StoredQuery, values: dict | None = None):
    """Bind ``values`` (bare name → value) and run ``query`` on ``backend``.

    :raises UsageError: a parameter problem (see :meth:`StoredQuery.bind`).
    """
    return backend.query(query.text, query.bind(values), source=f"queries/{query.path.name}")
