"""Loading the project into named graphs, and the OWL RL closure with owlrl.

owlrl is the reference reasoner. It works on rdflib's in-memory graphs (it cannot
write into an Oxigraph-backed graph) and adds junk that is never kept: reflexive
sameAs and subclass triples, literal subjects, statements about the W3C vocabularies
themselves. What remains is kept in its own named graph, apart from what was asserted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qkg.namespaces import OWL, RDF, RDFS, XSD
from qkg.paths import Project
from qkg.rdfio import parse_graph

OWLRL_ERROR = "http://www.daml.org/2002/03/agents/agent-ont#"

_BUILTIN_NAMESPACES = (RDF, RDFS, OWL, XSD)
_REFLEXIVE_JUNK = {
    OWL + "sameAs",
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    "http://www.w3.org/2004/02/skos/core#exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch",
}
_TRIVIAL_OBJECTS = {OWL + "Thing", RDFS + "Resource", OWL + "Nothing", RDFS + "Literal"}
_META_TYPES = {
    RDFS + "Class",
    OWL + "Class",
    RDF + "Property",
    RDFS + "Datatype",
    OWL + "Thing",
    RDFS + "Resource",
    OWL + "NamedIndividual",
    OWL + "DatatypeProperty",
    OWL + "ObjectProperty",
    OWL + "AnnotationProperty",
}


@dataclass
class Inputs:
    """The project's asserted graphs: graph IRI → rdflib graph, and the files behind each."""

    graphs: dict = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)

    def merged(self):
        """One rdflib graph with every asserted triple (for reasoning and validation)."""
        import rdflib

        out = rdflib.Graph()
        for g in self.graphs.values():
            out += g
        return out

    def triple_count(self) -> int:
        return sum(len(g) for g in self.graphs.values())


def load_inputs(project: Project, files: list[tuple[str, Path]] | None = None) -> Inputs:
    """Parse every input file of ``project`` (or the given ``(graph, file)`` pairs).

    :raises InputError: a missing or undecodable file.
    :raises RdfSyntaxError: a file that does not parse.
    """
    import rdflib

    inputs = Inputs()
    for graph_iri, path in files if files is not None else project.graph_files():
        g = inputs.graphs.get(graph_iri)
        if g is None:
            g = inputs.graphs[graph_iri] = rdflib.Graph(identifier=rdflib.URIRef(graph_iri))
        parse_graph(path, project.relative(path), graph=g)
        inputs.files.setdefault(graph_iri, []).append(path)
    return inputs


def is_junk(s, p, o) -> bool:
    """True for an inferred triple that carries no information for users of the data."""
    from rdflib import Literal

    if isinstance(s, Literal):
        return True
    s_str, p_str, o_str = str(s), str(p), str(o)
    if s_str.startswith(_BUILTIN_NAMESPACES) or s_str.startswith(OWLRL_ERROR):
        return True
    if p_str in _REFLEXIVE_JUNK and s == o:
        return True
    if o_str in _TRIVIAL_OBJECTS or s_str == OWL + "Nothing":
        return True
    if p_str == RDF + "type" and o_str in _META_TYPES:
        return True
    return False


@dataclass
class Closure:
    """What OWL RL adds to the asserted triples, cleaned, and any inconsistencies."""

    inferred: object  # rdflib.Graph
    errors: list[str]


def owlrl_closure(asserted) -> Closure:
    """Compute the OWL RL closure of ``asserted`` (an rdflib graph, left unchanged).

    owlrl swaps rdflib's literal converters while it runs: never call this from
    parallel threads.
    """
    import owlrl
    import rdflib

    work = rdflib.Graph()
    work += asserted
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(work)
    errors = [
        str(msg)
        for node in work.subjects(rdflib.RDF.type, rdflib.URIRef(OWLRL_ERROR + "ErrorMessage"))
        for msg in work.objects(node, rdflib.URIRef(OWLRL_ERROR + "error"))
    ]
    inferred = rdflib.Graph()
    for triple in work:
        if triple not in asserted and not is_junk(*triple):
            inferred.add(triple)
    return Closure(inferred, sorted(errors))
