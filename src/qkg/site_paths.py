"""Where each IRI lives in the static site, and how one page links to another.

Paths mirror IRI paths so the site can be hosted at the base IRI and the IRIs resolve:

==========================================  ============================================
IRI                                         file
==========================================  ============================================
``https://w3id.org/qkg/id/org/q-star``      ``id/org/q-star/index.html`` (+ ``index.ttl``,
                                            ``index.jsonld``)
``https://w3id.org/qkg/graph/<id>``         ``graph/<id>/index.html`` (+ ``index.trig``)
``https://w3id.org/qkg/ontology``           ``ontology/index.html`` (+ ``index.ttl``)
``https://w3id.org/qkg/ontology#Event``     ``ontology/index.html#Event`` and the term page
                                            ``ontology/class/Event.html``
``https://w3id.org/qkg/ontology#venue``     ``ontology/property/venue.html``
``https://w3id.org/qkg/dataset``            ``dataset/index.html`` (+ ``index.ttl``)
==========================================  ============================================

Classes and properties have separate folders because ``qkg:Post`` and ``qkg:post``
would collide on case-insensitive file systems. In a static site every link is
relative (it works from ``file://`` and under any prefix); with a ``base`` (the
server) links are ``base`` + the IRI path.
"""
from __future__ import annotations

import posixpath
from urllib.parse import quote

from qkg.namespaces import BASE, GRAPH, ID, ONTOLOGY, QKG

DATASET = BASE + "dataset"
INDEX = "index.html"


def page_path(iri: str, classes: set[str] = frozenset(), properties: set[str] = frozenset()) -> str | None:
    """The site path (from the site root) of the page for ``iri``; ``None`` if external."""
    if iri.startswith(ID) and len(iri) > len(ID):
        return _safe(iri[len(BASE):].rstrip("/")) + "/" + INDEX
    if iri.startswith(GRAPH) and len(iri) > len(GRAPH):
        return _safe(iri[len(BASE):].rstrip("/")) + "/" + INDEX
    if iri in (ONTOLOGY, QKG, ONTOLOGY + "/"):
        return "ontology/" + INDEX
    if iri.startswith(QKG):
        local = iri[len(QKG):]
        if iri in classes:
            return "ontology/class/" + _safe(local) + ".html"
        if iri in properties:
            return "ontology/property/" + _safe(local) + ".html"
        return "ontology/" + INDEX + "#" + quote(local)
    if iri == DATASET:
        return "dataset/" + INDEX
    return None


def _safe(path: str) -> str:
    return quote(path, safe="/-._~")


class Links:
    """Hrefs from one page: relative in the static site, ``base``-prefixed for a server."""

    def __init__(self, page: str, base: str | None = None, classes=frozenset(), properties=frozenset()):
        self.page = page
        self.base = base
        self.classes = classes
        self.properties = properties

    @property
    def root(self) -> str:
        """The href of the site root, ending with ``/`` (or empty at the root)."""
        if self.base is not None:
            return self.base
        depth = self.page.count("/")
        return "../" * depth

    def to(self, path: str) -> str:
        """The href of a site path such as ``id/org/q-star/index.html#x``."""
        target, _, fragment = path.partition("#")
        if self.base is not None:
            if target == INDEX:
                target = ""
            elif target.endswith("/" + INDEX):
                target = target[: -len("/" + INDEX)]
            href = self.base + target
        else:
            here = posixpath.dirname(self.page) or "."
            href = posixpath.relpath(target, here) if target else ""
        return href + ("#" + fragment if fragment else "")

    def iri(self, iri: str) -> tuple[str, bool]:
        """``(href, internal)`` for an IRI: its page in the site, else the IRI itself."""
        path = page_path(iri, self.classes, self.properties)
        return (self.to(path), True) if path else (iri, False)

    def sibling(self, name: str) -> str:
        """A file next to this page (``index.ttl`` beside ``id/org/q-star/index.html``)."""
        folder = posixpath.dirname(self.page)
        return self.to(posixpath.join(folder, name) if folder else name)
