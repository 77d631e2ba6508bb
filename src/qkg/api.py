"""The Python API: ``KnowledgeGraph`` runs stored and ad-hoc queries and returns rows.

>>> from qkg import KnowledgeGraph
>>> kg = KnowledgeGraph.load()                      # the project's embedded store
>>> rows = kg.query("list-events-timeline", from_="2021-01-01")
>>> rows[0]["eventLabel"]
'Inauguration of the Quantum Technology Innovation Hubs'
>>> rows.to_dataframe()                             # with pandas installed

Parameters go by their bare names (``actor="qorg:q-star"``); a trailing underscore is
dropped, for names that are Python keywords (``from_=``). Values may be strings, ints
or dates; they are checked and bound by value exactly as on the command line.
"""
from __future__ import annotations

import html
from pathlib import Path

from qkg.errors import QkgError

#: Rows shown by ``_repr_html_`` before the rest is summarized.
HTML_ROWS = 50


class Rows(list):
    """Query solutions as a list of dicts of plain Python values (``str`` for IRIs and
    strings, ``int``, ``bool``, ``datetime.date`` …; ``None`` where unbound).

    :ivar variables: the column names, in the query's order.
    """

    def __init__(self, rows=(), variables=()):
        super().__init__(rows)
        self.variables = list(variables)

    @classmethod
    def from_result(cls, result) -> "Rows":
        from qkg.store import python_value

        return cls(({v: None if t is None else python_value(t) for v, t in zip(result.variables, row)}
                    for row in result.rows), result.variables)

    def to_dataframe(self):
        """The rows as a :class:`pandas.DataFrame`, columns in the query's order.

        :raises QkgError: pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError:
            raise QkgError("to_dataframe() needs pandas: pip install 'qkg[pandas]'", "pandas") from None
        return pd.DataFrame(list(self), columns=self.variables)

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter, values escaped, at most :data:`HTML_ROWS` rows."""
        head = "".join(f"<th>{html.escape(v)}</th>" for v in self.variables)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape('' if row.get(v) is None else str(row.get(v)))}</td>"
                             for v in self.variables) + "</tr>"
            for row in self[:HTML_ROWS])
        more = f"<p>… {len(self) - HTML_ROWS} more rows</p>" if len(self) > HTML_ROWS else ""
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows; columns: {', '.join(self.variables)})"


class KnowledgeGraph:
    """A qkg knowledge graph: the embedded store of a project or a SPARQL endpoint."""

    def __init__(self, backend, catalog):
        self.backend = backend
        self.catalog = catalog

    @classmethod
    def load(cls, project=None, endpoint: str | None = None, log=None) -> "KnowledgeGraph":
        """Open a project's graph (building its store if needed) or a remote endpoint.

        :param project: a :class:`qkg.paths.Project` or a directory; default: found from
            the working directory or ``$QKG_PROJECT``.
        :param endpoint: a SPARQL 1.1 endpoint URL to query instead of the embedded store
            (default ``$QKG_ENDPOINT`` if set); the stored queries still come from the project.
        """
        from qkg.paths import Project
        from qkg.queries import Catalog
        from qkg.store import backend_for

        if project is None:
            project = Project.find()
        elif isinstance(project, (str, Path)):
            project = Project.find(project)
        return cls(backend_for(endpoint, project=project, log=log), Catalog.load(project))

    def queries(self) -> list[dict]:
        """The catalog: name, summary, description, tags, form and parameters of each query."""
        return [q.to_dict() for q in self.catalog]

    def query(self, name: str, /, **params):
        """Run the stored query ``name``; returns :class:`Rows` (SELECT), a ``bool`` (ASK)
        or a list of :class:`pyoxigraph.Triple` (CONSTRUCT).

        :raises UsageError: unknown query or parameter, or a value of the wrong type.
        """
        values = {(k[:-1] if k.endswith("_") else k): v for k, v in params.items()}
        return self._convert(self.catalog.run(self.backend, name, values))

    def sparql(self, text: str):
        """Run an ad-hoc SPARQL query over the union of all named graphs (same return
        values as :meth:`query`).

        :raises QuerySyntaxError: the query does not parse.
        """
        return self._convert(self.backend.query(text))

    @staticmethod
    def _convert(result):
        if result.kind == "ask":
            return bool(result.boolean)
        if result.kind == "graph":
            return list(result.triples)
        return Rows.from_result(result)

    def __repr__(self) -> str:
        where = getattr(self.backend, "endpoint", None) or getattr(self.backend, "path", None)
        return f"KnowledgeGraph({self.backend.name}: {where}; {len(self.catalog)} stored queries)"
