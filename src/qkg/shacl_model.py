"""The shapes graph as the SHACL compiler reads it: each shape once, with its parameters,
targets and SPARQL prefixes (https://www.w3.org/TR/shacl/#shapes), refusing vocabulary
the compiler does not know."""
from __future__ import annotations

from dataclasses import dataclass, field

from qkg.errors import QkgError
from qkg.namespaces import SH

#: Shapes-graph vocabulary the compiler understands; any other sh: term is refused.
KNOWN = {SH + n for n in (
    "NodeShape PropertyShape Shape SPARQLConstraint path property node not and or xone "
    "targetClass targetNode targetSubjectsOf targetObjectsOf class datatype nodeKind minCount maxCount "
    "minInclusive minExclusive maxInclusive maxExclusive minLength maxLength pattern flags languageIn "
    "uniqueLang in hasValue equals disjoint lessThan lessThanOrEquals qualifiedValueShape qualifiedMinCount "
    "qualifiedMaxCount qualifiedValueShapesDisjoint sparql select prefixes declare prefix namespace message "
    "severity deactivated name description order group defaultValue Violation Warning Info IRI BlankNode "
    "Literal BlankNodeOrIRI BlankNodeOrLiteral IRIOrLiteral PrefixDeclaration").split()}
#: Parameters of a node test decided in Python (rdflib's reading of the value).
PYTHON_TESTS = ("pattern", "minLength", "maxLength", "minInclusive", "minExclusive", "maxInclusive", "maxExclusive")
#: Parameters that give one validation result per value node.
VALUE_PARAMS = ("class", "datatype", "nodeKind", *PYTHON_TESTS, "languageIn", "in", "disjoint", "not", "and", "or",
                "xone", "node")


class UnsupportedShape(QkgError):
    """A shape uses SHACL the SPARQL engine does not compile; validate with pyshacl."""


@dataclass
class Shape:
    """A node or property shape as read from the shapes graph (rdflib terms)."""

    node: object
    path: object = None
    severity: str = SH + "Violation"
    messages: list = field(default_factory=list)
    params: dict = field(default_factory=dict)  # local name → list of values
    properties: list = field(default_factory=list)
    deactivated: bool = False


class ShapesModel:
    """The shapes of an rdflib shapes graph, read once (``shape``) and checked for
    vocabulary the compiler does not know."""

    def __init__(self, graph):
        from rdflib import URIRef

        self.graph, self.cache, self.U = graph, {}, URIRef
        for term in {t for triple in graph for t in triple}:
            if isinstance(term, URIRef) and str(term).startswith(SH) and str(term) not in KNOWN:
                raise UnsupportedShape(f"{term.n3()} is not compiled to SPARQL", "shapes")
        disjoint = {str(o) for o in graph.objects(None, URIRef(SH + "qualifiedValueShapesDisjoint"))}
        if disjoint - {"false"}:
            raise UnsupportedShape("sh:qualifiedValueShapesDisjoint true is not compiled to SPARQL", "shapes")

    def values(self, node, name: str) -> list:
        return list(self.graph.objects(node, self.U(SH + name)))

    def items(self, node, name: str) -> list:
        return [list(self.graph.items(lst)) for lst in self.values(node, name)]

    def shape(self, node) -> Shape:
        if node not in self.cache:
            paths = self.values(node, "path")
            if len(paths) > 1 or (paths and not isinstance(paths[0], self.U)):
                raise UnsupportedShape(f"shape {node.n3()}: only a single IRI is compiled as sh:path", "shapes")
            severity = self.values(node, "severity")
            shape = self.cache[node] = Shape(
                node, paths[0] if paths else None, str(severity[0]) if severity else SH + "Violation",
                self.values(node, "message"), deactivated=any(str(d) == "true" for d in self.values(node, "deactivated")))
            for name in (*VALUE_PARAMS, "minCount", "maxCount", "hasValue", "uniqueLang", "equals", "lessThan",
                         "lessThanOrEquals", "qualifiedValueShape", "sparql"):
                found = self.items(node, name) if name in ("in", "languageIn", "and", "or", "xone") else self.values(node, name)
                if found:
                    shape.params[name] = found
            shape.properties = [self.shape(p) for p in self.values(node, "property")]
        return self.cache[node]

    def targets(self, node) -> dict:
        """Target declarations of a shape: {kind: [terms]} (implicit class targets too)."""
        from rdflib import RDF, RDFS as R

        out = {k: self.values(node, k) for k in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")}
        classes = {R.Class, *self.graph.subjects(R.subClassOf, R.Class)}
        if any(t in classes for t in self.graph.objects(node, RDF.type)):
            out["targetClass"].append(node)
        return {k: v for k, v in out.items() if v}

    def targeted(self) -> list:
        """Every shape with a target, in a stable order."""
        from rdflib import RDF

        nodes = {s for k in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
                 for s in self.graph.subjects(self.U(SH + k), None)}
        shapes = {*self.graph.subjects(RDF.type, self.U(SH + "NodeShape")),
                  *self.graph.subjects(RDF.type, self.U(SH + "PropertyShape"))}
        return sorted(nodes | {s for s in shapes if self.targets(s)}, key=str)

    def prefixes(self, constraint) -> dict[str, str]:
        """The prefixes a SPARQL constraint declares through ``sh:prefixes``
        (https://www.w3.org/TR/shacl/#sparql-prefixes); as pyshacl, an
        ``owl:Ontology``'s declarations count for every constraint."""
        from rdflib import OWL, RDF

        out: dict[str, str] = {}
        shared = [d for o in self.graph.subjects(RDF.type, OWL.Ontology) for d in self.values(o, "declare")]
        for holder in self.values(constraint, "prefixes"):
            for declaration in [*self.values(holder, "declare"), *shared]:
                prefix, namespace = self.values(declaration, "prefix"), self.values(declaration, "namespace")
                if len(prefix) != 1 or len(namespace) != 1 or out.get(str(prefix[0]), str(namespace[0])) != str(namespace[0]):
                    raise UnsupportedShape(f"prefix declaration {declaration.n3()} is ambiguous", "shapes")
                out[str(prefix[0])] = str(namespace[0])
        return out
