"""JSON-LD for qkg: compacted documents written from the graph, and offline reading.

The context ships in the package (``qkg/static/context.jsonld``) and is published at
:data:`CONTEXT_IRI`; documents reference it by that IRI. qkg never fetches it: the
reader replaces the reference with the local copy before any processor sees the
document (a document loader, JSON-LD 1.1 API §9.4), and refuses any other remote
context.

The writer follows the compaction rules of JSON-LD 1.1 (term selection, §6.2.2 of the
API spec) for the few shapes our data has, instead of running a general processor:

* a property gets a short term when its values fit the term's definition (``@id``
  coercion for links, ``@container: @language`` for language-tagged text, a datatype
  for coerced dates); values that do not fit fall back to a compact IRI key with
  explicit value objects, so dates of mixed precision keep their ``@type``;
* canonical integers and booleans become JSON numbers and booleans;
* a blank node used once is embedded; ``frame="entity"`` also nests participations,
  outcomes and agenda items in their event and the evidence annotations in what they
  are about (``evidence``, a reverse property of ``oa:hasBody``).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from qkg.errors import InputError
from qkg.namespaces import BASE, OA, QKG, RDF, XSD

CONTEXT_IRI = BASE + "context.jsonld"
#: Forward links whose object the ``entity`` frame nests inside the subject.
NESTED = (QKG + "hasParticipation", QKG + "hasOutcome", QKG + "hasAgendaItem")
EVIDENCE_OF = OA + "hasBody"
_INT = re.compile(r"^(0|-?[1-9][0-9]{0,19})$")
_FIRST_KEYS = ("id", "type", "label", "prefLabel", "altLabel")


@lru_cache(maxsize=1)
def context_document() -> dict:
    """The context document shipped with qkg, ``{"@context": {...}}``."""
    from importlib import resources

    text = resources.files("qkg").joinpath("static/context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Term:
    name: str
    iri: str
    coerce: str | None = None  # "@id", "@vocab" or a datatype IRI
    container: str | None = None  # "@language"
    reverse: bool = False
    as_list: bool = False  # "@container": "@set": always an array

    @property
    def simple(self) -> bool:
        return not (self.coerce or self.container or self.reverse)


class Context:
    """The term definitions of a context, indexed for compaction."""

    def __init__(self, ctx: dict):
        self.vocab = ctx.get("@vocab")
        self.prefixes: dict[str, str] = {}
        raw = {k: v for k, v in ctx.items() if not k.startswith("@")}
        for name, value in raw.items():
            if isinstance(value, str) and value.endswith(("/", "#")) and ":" in value and "://" in value:
                self.prefixes[name] = value
        self.terms: dict[str, Term] = {}
        for name, value in raw.items():
            if name in self.prefixes or (isinstance(value, str) and value.startswith("@")):
                continue
            if isinstance(value, str):
                self.terms[name] = Term(name, self.expand(value))
            elif "@reverse" in value:
                self.terms[name] = Term(name, self.expand(value["@reverse"]), reverse=True,
                                        as_list=value.get("@container") == "@set")
            else:
                coerce = value.get("@type")
                if coerce and not coerce.startswith("@"):
                    coerce = self.expand(coerce)
                container = value.get("@container")
                self.terms[name] = Term(name, self.expand(value["@id"]), coerce,
                                        None if container == "@set" else container, as_list=container == "@set")
        self.by_iri: dict[str, list[Term]] = defaultdict(list)
        for term in self.terms.values():
            self.by_iri[term.iri].append(term)
        self._by_length = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self.reserved = set(raw)

    def expand(self, value: str) -> str:
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return value

    def compact_iri(self, iri: str) -> str:
        """A compact IRI (``prefix:local``) or the IRI itself; never a term."""
        for prefix, ns in self._by_length:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("/"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def vocab_name(self, iri: str) -> str:
        """How ``iri`` is written where the vocabulary applies (``type``, ``@vocab``
        values): a term for it, else its name under ``@vocab``, else a compact IRI."""
        terms = [t for t in self.by_iri.get(iri, ()) if not t.reverse]
        if terms:
            return sorted(terms, key=lambda t: (not t.simple, t.name))[0].name
        if self.vocab and iri.startswith(self.vocab):
            local = iri[len(self.vocab):]
            if local and local not in self.reserved and re.match(r"^[A-Za-z_][A-Za-z0-9_\-]*$", local):
                return local
        return self.compact_iri(iri)


@lru_cache(maxsize=1)
def qkg_context() -> Context:
    return Context(context_document()["@context"])


def _key_order(key: str) -> tuple:
    if key in _FIRST_KEYS:
        return (0, _FIRST_KEYS.index(key), "")
    return (2 if key == "evidence" else 1, 0, key)


def _value_order(value) -> tuple:
    if isinstance(value, dict):
        return (1, json.dumps(value, ensure_ascii=False, sort_keys=True))
    return (0, json.dumps(value, ensure_ascii=False))


class _Writer:
    """Turns one graph's triples into compacted node objects."""

    def __init__(self, triples, ctx: Context, frame: str | None):
        import pyoxigraph as ox

        self.ox = ox
        self.ctx = ctx
        self.frame = frame
        self.props: dict = defaultdict(lambda: defaultdict(list))
        self.refs: dict = defaultdict(int)
        nest_refs: dict = defaultdict(int)
        for s, p, o in triples:
            self.props[s][p.value].append(o)
            if isinstance(o, ox.BlankNode):
                self.refs[o] += 1
            if p.value in NESTED and isinstance(o, ox.NamedNode):
                nest_refs[o] += 1
        self.nested = set()
        self.evidence: dict = defaultdict(list)  # body → annotations nested in it
        self.shared = set()  # annotations written under several bodies
        self.bodies: dict = {}  # annotation → the bodies it is nested in
        if frame == "entity":
            self.nested = {o for o, n in nest_refs.items() if n == 1 and o in self.props}
            rendered = {s for s in self.props if isinstance(s, ox.NamedNode)}
            for s, per in self.props.items():
                if isinstance(s, ox.BlankNode) and self.refs.get(s, 0) == 0 and EVIDENCE_OF in per:
                    bodies = [b for b in per[EVIDENCE_OF] if b in rendered]
                    self.bodies[s] = set(bodies)
                    for b in bodies:
                        self.evidence[b].append(s)
                    if len(bodies) > 1:
                        self.shared.add(s)
        self.in_evidence = {a for anns in self.evidence.values() for a in anns}

    def node_id(self, term) -> str:
        return term.value if isinstance(term, self.ox.NamedNode) else "_:" + term.value

    def literal(self, lit, term: Term | None):
        """A literal as the value of a term (``None``: under a compact IRI key)."""
        dt = lit.datatype.value
        if lit.language:
            return {"@value": lit.value, "@language": lit.language}
        if term is not None and term.coerce == dt:
            return lit.value
        if dt == XSD + "string":
            return lit.value
        if dt == XSD + "integer" and _INT.match(lit.value):
            return int(lit.value)
        if dt == XSD + "boolean" and lit.value in ("true", "false"):
            return lit.value == "true"
        return {"@value": lit.value, "@type": self.ctx.vocab_name(dt)}

    def choose(self, pred: str, value) -> Term | None:
        """The term under which ``value`` of ``pred`` is written (JSON-LD term selection):
        one whose coercion or container fits the value, else one with neither."""
        is_node = not isinstance(value, self.ox.Literal)
        fallback = None
        for term in self.ctx.by_iri.get(pred, ()):
            if term.reverse or term.container and (is_node or not value.language):
                continue
            if is_node and term.coerce in ("@id", "@vocab"):
                return term
            if not is_node and value.language and term.container == "@language" and not term.coerce:
                return term
            if not is_node and not value.language and term.coerce == value.datatype.value:
                return term
            if term.simple:
                fallback = term
        return fallback

    def node(self, subject, stack: tuple = (), show_id: bool = False, nested_in: bool = False) -> dict:
        """The node object of ``subject``; ``stack`` holds the nodes being written."""
        ox = self.ox
        stack = stack + (subject,)
        out: dict = {}
        if isinstance(subject, ox.NamedNode) or show_id or self.refs.get(subject, 0) > 1:
            out["id"] = self.node_id(subject)
        keyed: dict[str, list] = defaultdict(list)
        langs: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        for pred, values in self.props.get(subject, {}).items():
            for value in values:
                if pred == RDF + "type" and isinstance(value, ox.NamedNode):
                    keyed["type"].append(self.ctx.vocab_name(value.value))
                    continue
                if nested_in and pred == EVIDENCE_OF and value in self.bodies.get(subject, ()):
                    continue  # stated by the nesting itself
                term = self.choose(pred, value)
                key = term.name if term else self.ctx.compact_iri(pred)
                if term and term.container == "@language":
                    langs[key][value.language].append(value.value)
                elif isinstance(value, ox.Literal):
                    keyed[key].append(self.literal(value, term))
                else:
                    keyed[key].append(self.object(pred, value, term, stack, show_id))
        for key, by_lang in langs.items():
            keyed[key] = [{lang: vals[0] if len(vals) == 1 else vals for lang, vals in sorted(by_lang.items())}]
        if subject in self.evidence:
            keyed["evidence"] = [self.node(a, stack, show_id=a in self.shared, nested_in=True)
                                 for a in self.evidence[subject] if a not in stack]
        for key in sorted(keyed, key=_key_order):
            values = keyed[key]
            if len(values) > 1:
                values = sorted(values, key=_value_order)
            term = self.ctx.terms.get(key)
            out[key] = values if (term and term.as_list) or len(values) > 1 else values[0]
        return out

    def object(self, pred: str, value, term: Term | None, stack: tuple, show_id: bool):
        ox = self.ox
        embed = (isinstance(value, ox.BlankNode) and self.refs.get(value) == 1) or (
            pred in NESTED and value in self.nested)
        if embed and value not in stack:
            return self.node(value, stack, show_id)
        if term is None or term.coerce not in ("@id", "@vocab"):
            return {"id": self.node_id(value)}
        if term.coerce == "@vocab" and isinstance(value, ox.NamedNode):
            name = self.ctx.vocab_name(value.value)
            return name if name not in ("id", "type") else self.ctx.compact_iri(value.value)
        return self.node_id(value)

    def top(self) -> list[dict]:
        """The top-level node objects: entities by IRI, then unreferenced blank nodes."""
        ox = self.ox
        named = sorted((s for s in self.props if isinstance(s, ox.NamedNode) and s not in self.nested),
                       key=lambda t: t.value)
        out = [self.node(s) for s in named]
        loose = [s for s in self.props if isinstance(s, ox.BlankNode)
                 and self.refs.get(s, 0) != 1 and s not in self.in_evidence]
        rest = [self.node(s) for s in loose]
        out.extend(sorted(rest, key=lambda n: (n.get("id", ""), json.dumps(n, ensure_ascii=False, sort_keys=True))))
        return out


def from_quads(quads, frame: str | None = None, named_graphs: bool = False,
               context_iri: str | None = None) -> dict:
    """A compacted JSON-LD document of canonical, sorted pyoxigraph quads."""
    import pyoxigraph as ox

    ctx = qkg_context()
    graphs: dict = defaultdict(list)
    for q in quads:
        graph = q.graph_name if named_graphs else ox.DefaultGraph()
        graphs[graph].append((q.subject, q.predicate, q.object))
    body: list = []
    for g in sorted(graphs, key=lambda t: "" if isinstance(t, ox.DefaultGraph) else t.value):
        nodes = _Writer(graphs[g], ctx, frame).top()
        if isinstance(g, ox.DefaultGraph):
            body.extend(nodes)
        else:
            body.append({"id": g.value if isinstance(g, ox.NamedNode) else "_:" + g.value, "@graph": nodes})
    return {"@context": context_iri or CONTEXT_IRI, "@graph": body}


def single(doc: dict) -> dict:
    """``doc`` with its one top-level node object lifted beside ``@context``."""
    nodes = doc.get("@graph", [])
    if len(nodes) == 1 and "@graph" not in nodes[0]:
        return {"@context": doc["@context"], **nodes[0]}
    return doc


def dumps(doc: dict) -> str:
    """Deterministic JSON text: keys in the order written, two-space indent, UTF-8."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# -- reading -----------------------------------------------------------------------

def resolve_contexts(doc, where: str = "JSON-LD"):
    """A copy of ``doc`` with every reference to qkg's context replaced by the local
    context; any other remote context is refused (qkg never goes online).

    :raises InputError: for a remote context other than :data:`CONTEXT_IRI`.
    """
    if isinstance(doc, list):
        return [resolve_contexts(d, where) for d in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for key, value in doc.items():
        if key == "@context":
            out[key] = _local_context(value, where)
        else:
            out[key] = resolve_contexts(value, where)
    return out


def _local_context(value, where: str):
    if isinstance(value, list):
        return [_local_context(v, where) for v in value]
    if isinstance(value, str):
        if value == CONTEXT_IRI:
            return context_document()["@context"]
        raise InputError(f"remote JSON-LD context {value} cannot be loaded offline; only {CONTEXT_IRI} is "
                         "known (inline the context instead)", where)
    return value


def load(data: str | bytes | dict, where: str = "JSON-LD") -> dict:
    """Parse JSON text (or take a parsed document) and resolve its contexts locally."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InputError(f"not JSON: {exc}", where) from None
    return resolve_contexts(data, where)


def to_rdflib(data: str | bytes | dict, where: str = "JSON-LD"):
    """The document as an rdflib ``Dataset`` (named graphs kept), read offline."""
    import warnings

    import rdflib

    ds = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib 7's JSON-LD parser uses its own deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        ds.parse(data=json.dumps(load(data, where)), format="json-ld")
    return ds


def to_quads(data: str | bytes | dict, where: str = "JSON-LD") -> list:
    """The document as pyoxigraph quads (its JSON-LD parser), read offline."""
    import pyoxigraph as ox

    try:
        return list(ox.parse(json.dumps(load(data, where)).encode(), format=ox.RdfFormat.JSON_LD))
    except SyntaxError as exc:
        raise InputError(f"invalid JSON-LD: {str(exc).splitlines()[0]}", where) from None
