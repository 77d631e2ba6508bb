"""Exporting the built dataset: RDF serializations with canonical, sorted output.

What is exported: the asserted named graphs (ontology, reference, sources and one
graph per source document); ``inferred=True`` adds ``graph/inferred`` (the cleaned
OWL RL closure and the derivations — the reasoner's junk is never stored, so it is
never exported). TriG, N-Quads and JSON-LD with ``named_graphs`` keep each triple in
its graph, so provenance survives; the other formats merge the graphs into one.

Determinism: blank nodes get canonical labels with RDFC-1.0
(https://www.w3.org/TR/rdf-canon/) through :meth:`pyoxigraph.Dataset.canonicalize`,
then statements are sorted, so the same data gives byte-identical files.
"""
from __future__ import annotations

from dataclasses import dataclass

from qkg.errors import UsageError
from qkg.namespaces import GRAPH, INFERRED_GRAPH, PREFIXES


@dataclass(frozen=True)
class Format:
    """An export format: its name on the command line, media type and file extension."""

    name: str
    media_type: str
    extension: str
    datasets: bool = False  # keeps named graphs
    rdf: bool = True  # False for the CSV tables


FORMATS: dict[str, Format] = {
    "ttl": Format("ttl", "text/turtle", ".ttl"),
    "nt": Format("nt", "application/n-triples", ".nt"),
    "nq": Format("nq", "application/n-quads", ".nq", datasets=True),
    "trig": Format("trig", "application/trig", ".trig", datasets=True),
    "jsonld": Format("jsonld", "application/ld+json", ".jsonld"),
    "rdfxml": Format("rdfxml", "application/rdf+xml", ".rdf"),
    "csv": Format("csv", "text/csv", ".csv", rdf=False),
    "void": Format("void", "text/turtle", ".ttl", rdf=False),
}
#: The RDF dump formats, in the order the site and the dataset description list them.
DUMP_FORMATS = ("trig", "nq", "ttl", "nt", "jsonld", "rdfxml")
FRAMES = ("entity",)


def _store(backend):
    store = getattr(backend, "store", None)
    if store is None:
        raise UsageError("export reads the embedded store; drop --endpoint (or unset $QKG_ENDPOINT)", "--endpoint")
    return store


def graph_ids(backend) -> dict[str, str]:
    """Short id → named graph IRI of every asserted graph (``inferred`` excluded)."""
    import pyoxigraph as ox

    out = {}
    for g in _store(backend).named_graphs():
        if isinstance(g, ox.NamedNode) and g.value != INFERRED_GRAPH:
            key = g.value[len(GRAPH):] if g.value.startswith(GRAPH) else g.value
            out[key] = g.value
    return dict(sorted(out.items()))


def select(backend, graph: str | None = None, inferred: bool = False) -> list:
    """The quads to export, as pyoxigraph quads in their named graphs.

    :param graph: a graph id (a source id, or ``ontology``/``reference``/``sources``)
        to export only that graph; with ``inferred``, only the inferred triples whose
        subject the graph describes are added.
    :param inferred: add the triples of ``graph/inferred``.
    :raises UsageError: for an unknown graph id, listing the known ones.
    """
    import pyoxigraph as ox

    store = _store(backend)
    ids = graph_ids(backend)
    if graph is not None:
        if graph not in ids:
            raise UsageError(f"unknown graph {graph!r}; known: {', '.join(ids)}", "--graph")
        quads = list(store.quads_for_pattern(None, None, None, ox.NamedNode(ids[graph])))
    else:
        quads = [q for g in ids.values() for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    if inferred:
        extra = store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
        if graph is not None:
            subjects = {q.subject for q in quads}
            extra = (q for q in extra if q.subject in subjects)
        quads.extend(extra)
    return quads


def quad_key(q) -> tuple:
    from qkg.export_turtle import term_key

    return (term_key(q.graph_name) if not _is_default(q.graph_name) else (-1, ""),
            term_key(q.subject), q.predicate.value, term_key(q.object))


def _is_default(g) -> bool:
    import pyoxigraph as ox

    return isinstance(g, ox.DefaultGraph)


def canonical(quads, merge: bool = False) -> list:
    """Quads with RDFC-1.0 blank node labels, sorted; ``merge`` puts every triple in
    the default graph first (duplicates across graphs collapse)."""
    import pyoxigraph as ox

    if merge:
        quads = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=quad_key)


def serialize(quads, fmt: str, *, frame: str | None = None, named_graphs: bool = False,
              context_iri: str | None = None) -> bytes:
    """The bytes of ``quads`` in an RDF format of :data:`FORMATS`.

    :param frame: JSON-LD only: ``entity`` nests participations and evidence.
    :param named_graphs: JSON-LD only: keep the named graphs.
    :param context_iri: JSON-LD only: the context to reference (default: qkg's).
    :raises UsageError: an unknown format or an option the format cannot honour.
    """
    import pyoxigraph as ox

    spec = FORMATS.get(fmt)
    if spec is None or not spec.rdf:
        raise UsageError(f"unknown RDF format {fmt!r}; choose one of {', '.join(DUMP_FORMATS)}", "--format")
    if (frame or named_graphs) and fmt != "jsonld":
        raise UsageError("--frame and --named-graphs apply to -f jsonld only", "--format")
    if frame is not None and frame not in FRAMES:
        raise UsageError(f"unknown frame {frame!r}; choose one of {', '.join(FRAMES)}", "--frame")
    keep_graphs = spec.datasets or (fmt == "jsonld" and named_graphs)
    quads = canonical(quads, merge=not keep_graphs)
    if fmt in ("ttl", "trig"):
        from qkg.export_turtle import write_trig, write_turtle

        if fmt == "trig":
            return write_trig(quads).encode("utf-8")
        return write_turtle((q.subject, q.predicate, q.object) for q in quads).encode("utf-8")
    if fmt == "jsonld":
        from qkg import jsonld

        doc = jsonld.from_quads(quads, frame=frame, named_graphs=named_graphs, context_iri=context_iri)
        return jsonld.dumps(doc).encode("utf-8")
    if fmt == "nq":
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=_used_prefixes(triples))


def _used_prefixes(triples) -> dict[str, str]:
    """The prefixes whose namespace starts some predicate or type: RDF/XML needs them
    for element names; declaring only these keeps the header short and stable."""
    from qkg.namespaces import RDF

    used = {}
    names = {t.predicate.value for t in triples}
    names |= {t.object.value for t in triples if t.predicate.value == RDF + "type" and hasattr(t.object, "value")}
    for prefix, ns in PREFIXES.items():
        if any(n.startswith(ns) for n in names):
            used[prefix] = ns
    return used


def export(backend, fmt: str, *, graph: str | None = None, inferred: bool = False,
           frame: str | None = None, named_graphs: bool = False) -> bytes:
    """Select and serialize in one call: the bytes of an RDF export of ``backend``."""
    return serialize(select(backend, graph, inferred), fmt, frame=frame, named_graphs=named_graphs)


def write_dumps(backend, directory, stem: str = "qkg", formats=DUMP_FORMATS, inferred: bool = False) -> dict:
    """Write one dump file per format into ``directory``: ``{format: path}``."""
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    quads = select(backend, inferred=inferred)
    out = {}
    for fmt in formats:
        path = directory / f"{stem}{FORMATS[fmt].extension}"
        data = serialize(quads, fmt)
        if not (path.is_file() and path.read_bytes() == data):
            path.write_bytes(data)
        out[fmt] = path
    return out
