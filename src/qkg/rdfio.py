"""Reading RDF files with errors that name the file, line and column.

rdflib reports Turtle errors as long tracebacks; pyoxigraph's parser gives a line and
column, so every file is first checked with it and then handed to rdflib where the
in-memory tools (owlrl, pyshacl) need an rdflib graph.
"""
from __future__ import annotations

import re
from pathlib import Path

from qkg.errors import InputError, RdfSyntaxError, location

# pyoxigraph words positions three ways: "at line L between columns C and D: …",
# "at line L column C: …" and "between line L column C and line M column D: …".
_POSITION = re.compile(r"line (\d+)(?: between columns| column) (\d+)[^:]*: (.*?)(?: \([^()]*line \d+\))?$", re.S)
_PREFIX = re.compile(r"The prefix (\S*) has not been declared")

FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld", ".rdf": "xml"}


def read_text(path: Path, shown: str | None = None) -> bytes:
    """The bytes of ``path``, checked to be UTF-8 and non-empty-able.

    :raises InputError: if the file is missing, unreadable or not UTF-8.
    """
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", shown) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", shown) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            location(shown, line, col),
        ) from None
    return data


def check_syntax(data: bytes, shown: str, fmt: str = "turtle") -> int:
    """Parse ``data`` with pyoxigraph to find syntax errors; return the triple count.

    :raises RdfSyntaxError: with ``file:line:col`` and what the parser expected.
    """
    import pyoxigraph

    rdf_format = {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "nquads": pyoxigraph.RdfFormat.N_QUADS,
        "trig": pyoxigraph.RdfFormat.TRIG,
    }.get(fmt)
    if rdf_format is None:
        return -1
    try:
        return sum(1 for _ in pyoxigraph.parse(data, format=rdf_format))
    except SyntaxError as exc:
        raise syntax_error(str(exc), shown) from None


def syntax_error(message: str, shown: str) -> RdfSyntaxError:
    """Turn a pyoxigraph parser message into a located, readable error."""
    m = _POSITION.search(message)
    if not m:
        return RdfSyntaxError(message, shown)
    line, col, text = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    prefix = _PREFIX.search(text)
    if prefix:
        text = f"undefined prefix '{prefix.group(1)}': add '@prefix {prefix.group(1)} <…> .' at the top"
    return RdfSyntaxError(text[0].lower() + text[1:] if text else "syntax error", location(shown, line, col))


def parse_graph(path: Path, shown: str | None = None, graph=None):
    """Read ``path`` into an rdflib graph (a new one, or ``graph``) after a strict check.

    :raises InputError: missing or undecodable file.
    :raises RdfSyntaxError: the file does not parse.
    """
    import rdflib

    shown = shown or str(path)
    fmt = FORMATS.get(path.suffix, "turtle")
    data = read_text(path, shown)
    check_syntax(data, shown, fmt)
    g = graph if graph is not None else rdflib.Graph()
    try:
        g.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many types; the strict check ran first
        raise RdfSyntaxError(f"rdflib could not read the file: {exc}".splitlines()[0], shown) from None
    return g
