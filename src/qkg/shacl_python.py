"""The SHACL node tests pySHACL decides in Python, on rdflib's reading of a term:
``sh:datatype`` well-formedness, ``sh:pattern`` (Python ``re``), the value ranges and
lengths, ``sh:in`` with literals, and ``sh:lessThan`` between values that are not both
numbers. The SPARQL engine (:mod:`qkg.shacl_sparql`) runs them on the distinct candidate
terms its queries return, so that its results are pySHACL 0.40's.
"""
from __future__ import annotations

import re

from qkg.namespaces import XSD
from qkg.shacl_model import UnsupportedShape


def python_test(key):
    """The Python predicate (rdflib term → passes) a compiled node test named ``key``
    stands for; each mirrors pySHACL 0.40's reading of the component."""
    from rdflib import BNode, Literal

    name, arg = key[0], key[1]
    test = _python_test(name, arg, key)
    if name == "in":
        return test
    if name.startswith(("min", "max")) and name.endswith(("clusive")):
        return lambda v: isinstance(v, Literal) and test(v)
    if name == "minLength" and int(arg) == 0:
        return lambda v: True  # pyshacl: a zero minimum passes even a blank node
    return lambda v: not isinstance(v, BNode) and test(v)


def _python_test(name: str, arg, key):
    if name == "datatype":
        return lambda v: not getattr(v, "ill_typed", False) and _actual_datatype(v.value, str(arg))
    if name == "pattern":
        flags = str(key[2]).lower() if key[2] is not None else ""
        regex = re.compile(str(arg.value) if arg.value is not None and len(arg.value) > 1 else str(arg),
                           (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))
        return lambda v: regex.search(_string(v)) is not None
    if name in ("minLength", "maxLength"):
        return (lambda v: len(_string(v)) >= arg.value) if name == "minLength" else (lambda v: len(_string(v)) <= arg.value)
    if name == "in":
        return lambda v: v in arg
    passes = {"minInclusive": lambda c: c >= 0, "minExclusive": lambda c: c > 0,
              "maxInclusive": lambda c: c <= 0, "maxExclusive": lambda c: c < 0}[name]

    def in_range(v) -> bool:
        if isinstance(v.value, str) != isinstance(arg.value, str):
            return False
        try:
            return passes(_compare_literal(v, arg))
        except (TypeError, NotImplementedError):
            return False

    return in_range


def _actual_datatype(value, datatype: str) -> bool:
    import datetime
    from decimal import Decimal

    kinds = {XSD + "string": (str, bytes), "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString": (str, bytes),
             XSD + "integer": int, XSD + "float": float, XSD + "decimal": Decimal, XSD + "boolean": bool,
             XSD + "date": datetime.date, XSD + "time": datetime.time, XSD + "dateTime": datetime.datetime}
    return datatype not in kinds or isinstance(value, kinds[datatype])


def _string(v) -> str:
    """pyshacl's string of a value node (``value_node_to_string``)."""
    from rdflib import Literal

    plain = (None, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", XSD + "string")
    if isinstance(v, Literal) and v.value is not None and (v.datatype is None or str(v.datatype) in plain):
        return str(v.value)
    return str(v)


def _compare_literal(a, b) -> int:
    """pyshacl's ``compare_literal``: 0, 1 or -1; raises TypeError when incomparable."""
    import datetime

    if a.eq(b):
        return 0
    if a.value.__class__ in (datetime.datetime, datetime.time):
        return 0 if a.value == b.value else (1 if a.value > b.value else -1)
    return 1 if a > b else -1


def less(a, b, op: str) -> bool:
    """pyshacl's sh:lessThan / sh:lessThanOrEquals test of one pair of rdflib terms."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(a, BNode) or isinstance(b, BNode):
        raise UnsupportedShape("sh:lessThan compares a blank node (pyshacl refuses it too)")

    def plain(t):
        if isinstance(t, URIRef):
            return str(t), True
        if isinstance(t, Literal) and isinstance(t.value, str):
            return t.value, True
        return t, False

    (x, xs), (y, ys) = plain(a), plain(b)
    return xs == ys and (x < y if op == "<" else x <= y)
