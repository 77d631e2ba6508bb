"""qkg.jsonld: the shipped context covers the ontology, documents are read offline,
two JSON-LD processors agree, and the compacted shapes are what a reader expects."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qkg.namespaces import DCAT, PREFIXES, QKG, VOID

ROOT = Path(__file__).resolve().parents[1]
CONTEXT_FILE = ROOT / "src" / "qkg" / "static" / "context.jsonld"
EVENT = "https://w3id.org/qkg/id/event/2023-05-14-quantum-innovation-high-level-meeting"


def _ontology_properties() -> list[str]:
    import pyoxigraph as ox

    kinds = {"http://www.w3.org/2002/07/owl#" + k for k in ("ObjectProperty", "DatatypeProperty")}
    quads = ox.parse(path=str(ROOT / "ontology" / "qkg.ttl"), format=ox.RdfFormat.TURTLE)
    return sorted({q.subject.value for q in quads if q.predicate.value.endswith("#type") and q.object.value in kinds})


def _terms() -> dict:
    """Term definitions, without the keyword aliases ``id`` and ``type``."""
    items = json.loads(CONTEXT_FILE.read_text())["@context"].items()
    return {k: v for k, v in items if not k.startswith("@") and not (isinstance(v, str) and v.startswith("@"))}


KNOWN_NAMESPACES = (*PREFIXES.values(), VOID, DCAT, "http://www.wikidata.org/entity/")


@pytest.mark.parametrize("prop", _ontology_properties(), ids=lambda iri: iri.rsplit("#", 1)[-1])
def test_context_has_a_term_for_every_ontology_property(prop):
    from qkg.jsonld import qkg_context

    assert [t for t in qkg_context().by_iri.get(prop, []) if not t.reverse], f"add a term for {prop} to context.jsonld"


@pytest.mark.parametrize("name", sorted(_terms()))
def test_every_term_expands_into_a_known_namespace(name):
    from qkg.jsonld import qkg_context

    ctx = qkg_context()
    iri = ctx.prefixes.get(name) or ctx.terms[name].iri
    assert iri.startswith(KNOWN_NAMESPACES), f"{name} → {iri}"


def test_the_package_ships_the_same_context_file():
    from qkg.jsonld import context_document

    assert context_document() == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def test_reading_replaces_the_context_iri_with_the_local_copy():
    from qkg.jsonld import CONTEXT_IRI, context_document, load

    doc = load(json.dumps({"@context": CONTEXT_IRI, "id": EVENT}))
    assert doc["@context"] == context_document()["@context"]


def test_reading_refuses_any_other_remote_context():
    from qkg.errors import InputError
    from qkg.jsonld import load

    with pytest.raises(InputError, match="cannot be loaded offline"):
        load({"@context": "https://schema.org/", "name": "x"})


@pytest.fixture(scope="session")
def quads(backend):
    from qkg.export import canonical, select

    return canonical(select(backend, inferred=True), merge=True)


@pytest.fixture(scope="session")
def flat(quads):
    from qkg.jsonld import from_quads

    return {n["id"]: n for n in from_quads(quads)["@graph"] if "id" in n}


@pytest.fixture(scope="session")
def framed(quads):
    from qkg.jsonld import from_quads

    return {n["id"]: n for n in from_quads(quads, frame="entity")["@graph"] if "id" in n}


@pytest.mark.parametrize("processor", ["rdflib", "pyoxigraph"])
@pytest.mark.parametrize("frame", [None, "entity"], ids=["flat", "entity"])
def test_both_processors_read_back_the_exported_triples(processor, frame, quads):
    import pyoxigraph as ox

    from qkg import jsonld
    from qkg.build import to_oxigraph

    text = jsonld.dumps(jsonld.from_quads(quads, frame=frame))
    if processor == "rdflib":
        back = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
                for s, p, o, _ in jsonld.to_rdflib(text).quads((None, None, None, None))]
    else:
        back = [ox.Quad(q.subject, q.predicate, q.object) for q in jsonld.to_quads(text)]
    got, want = ox.Dataset(back), ox.Dataset(quads)
    got.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    want.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert got == want


def test_labels_are_language_maps(flat):
    assert flat["https://w3id.org/qkg/id/country/japan"]["label"] == {"en": "Japan", "ja": "日本"}


def test_a_date_time_keeps_its_datatype(flat):
    assert flat[EVENT]["startDate"] == {"@value": "2023-05-14T11:40:00+09:00", "@type": "xsd:dateTime"}


def test_derived_day_bounds_are_plain_strings_through_the_context(flat):
    assert flat[EVENT]["earliestStart"] == "2023-05-14"


def test_links_are_plain_iris(flat):
    assert flat[EVENT]["venue"] == "https://w3id.org/qkg/id/place/nanoterasu"


def test_integers_are_json_numbers(flat):
    editions = [n["editionNumber"] for n in flat.values() if "editionNumber" in n]
    assert editions and all(isinstance(e, int) for e in editions)


def test_types_use_the_vocabulary_short_names(flat):
    assert flat[EVENT]["type"] == ["Event", "HighLevelMeeting", "Meeting", "prov:Activity", "schema:Event"]


def test_the_entity_frame_nests_participations_in_their_event(framed):
    parts = framed[EVENT]["participations"]
    roles = {(p["agent"], p["role"]) for p in parts}
    assert ("https://w3id.org/qkg/id/org/q-star", "https://w3id.org/qkg/id/role/host") in roles


def test_the_entity_frame_nests_evidence_with_its_quote(framed):
    quotes = {ev["target"]["selector"]["exact"] for ev in framed[EVENT]["evidence"]
              if isinstance(ev.get("target"), dict)}
    assert "Date & Time: Sunday, May 14, 2023, 11:40am - 12:40pm" in quotes


def test_nested_nodes_are_not_repeated_at_the_top(framed):
    part = "https://w3id.org/qkg/id/participation/2023-05-14-quantum-innovation-high-level-meeting--q-star--host"
    assert part not in framed


def test_evidence_supports_name_properties_by_their_terms(framed):
    supports = [ev["supports"] for ev in framed[EVENT]["evidence"] if "supports" in ev]
    assert ["endDate", "startDate"] in supports


def test_vocab_name_avoids_keyword_aliases():
    from qkg.jsonld import qkg_context

    assert qkg_context().vocab_name("http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == "rdf:type"


def test_vocab_name_uses_the_local_name_for_unlisted_qkg_classes():
    from qkg.jsonld import qkg_context

    assert qkg_context().vocab_name(QKG + "HighLevelMeeting") == "HighLevelMeeting"
