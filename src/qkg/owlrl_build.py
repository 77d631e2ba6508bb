"""The owlrl reference build: rdflib graphs, owlrl's closure to a fixpoint with the
shortcut rules, junk removal, date bounds, and writing rdflib graphs into a store.

The fast path in :mod:`qkg.build` is tested to infer exactly what this one infers.
"""
from __future__ import annotations

import time
from pathlib import Path

from qkg.namespaces import INFERRED_GRAPH


def reason(inputs, reasoner: str, rules):
    """The owlrl reference: closure plus shortcut rules, to a fixpoint, plus date bounds.

    Rule output can feed OWL RL (``qkg:holds`` is a sub-property of ``org:holds``), so
    the closure is recomputed while the rules add anything new.

    :return: ``(inferred rdflib graph, errors)``.
    """
    import rdflib

    from qkg.derive import bounds_triples_rdflib
    from qkg.graph import OWLRL_ERROR, owlrl_closure

    if reasoner != "owlrl":
        raise ValueError("reason() is the owlrl path; the fast path is build(..., reasoner='fast')")
    asserted = inputs.merged()
    work = rdflib.Graph()
    work += asserted
    errors: list[str] = []
    error_type = rdflib.URIRef(OWLRL_ERROR + "ErrorMessage")
    while True:
        closure = owlrl_closure(work)
        errors = closure.errors
        # Error nodes are added once, at the end, not once per round.
        nodes = set(closure.inferred.subjects(rdflib.RDF.type, error_type))
        for t in closure.inferred:
            if t[0] not in nodes:
                work.add(t)
        new = set()
        for rule in rules:
            for triple in work.query(rule.text):
                if triple not in work:
                    new.add(triple)
        if not new:
            break
        for t in new:
            work.add(t)
    inferred = rdflib.Graph()
    for t in work:
        if t not in asserted:
            inferred.add(t)
    for t in bounds_triples_rdflib(work):
        inferred.add(t)
    for message in errors:
        node = rdflib.BNode()
        inferred.add((node, rdflib.RDF.type, error_type))
        inferred.add((node, rdflib.URIRef(OWLRL_ERROR + "error"), rdflib.Literal(message)))
    return inferred, errors


def to_oxigraph(term):
    """Convert an rdflib term to a pyoxigraph term (blank node ids are kept)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def write_store(path: Path, graphs: dict, inferred) -> None:
    """Write rdflib graphs (asserted, by IRI) and the inferred graph into a new store."""
    import pyoxigraph as ox

    store = ox.Store(str(path))

    def quads():
        for iri, g in graphs.items():
            name = ox.NamedNode(iri)
            for s, p, o in g:
                yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)
        name = ox.NamedNode(INFERRED_GRAPH)
        for s, p, o in inferred:
            yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)

    store.bulk_extend(quads())
    store.flush()
    store.optimize()
    del store


def build_owlrl(project, tmp: Path, result) -> None:
    """Build ``project`` with owlrl into a new store at ``tmp``, filling ``result``."""
    from qkg.derive import load_rules
    from qkg.graph import load_inputs

    clock = time.perf_counter()
    inputs = load_inputs(project)
    result.loaded = list(inputs.graphs)
    result.timings["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()
    inferred, result.errors = reason(inputs, "owlrl", load_rules(project.rule_files))
    result.timings["reason"] = time.perf_counter() - clock
    clock = time.perf_counter()
    write_store(tmp, inputs.graphs, inferred)
    result.graphs = {iri: len(g) for iri, g in inputs.graphs.items()}
    result.inferred = len(inferred)
    result.timings["store"] = time.perf_counter() - clock
