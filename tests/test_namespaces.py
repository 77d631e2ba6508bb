"""qkg.namespaces: one base, prefixes per kind."""
from __future__ import annotations

import pytest

from qkg.namespaces import BASE, PREFIXES, shorten


@pytest.mark.parametrize("iri,short", [
    (BASE + "id/org/q-star", "qorg:q-star"),
    (BASE + "ontology#Event", "qkg:Event"),
    ("https://schema.org/Event", "schema:Event"),
    ("http://example.org/x", "<http://example.org/x>"),
    (BASE + "id/org/a/b", "<https://w3id.org/qkg/id/org/a/b>"),
], ids=["kind", "ontology", "external", "unknown", "slash-in-local"])
def test_shorten(iri, short):
    assert shorten(iri) == short


def test_every_namespace_is_under_the_base_or_external():
    ours = {p: ns for p, ns in PREFIXES.items() if ns.startswith(BASE)}
    assert len(ours) == len(set(ours.values()))
