"""Result rendering: the W3C formats (shape and conformance), tables, Markdown and RDF."""
from __future__ import annotations

import json

import pytest

from qkg.errors import UsageError

XSD = "http://www.w3.org/2001/XMLSchema#"
VALUES_QUERY = """SELECT ?iri ?text ?n WHERE { VALUES (?iri ?text ?n) {
  (<https://w3id.org/qkg/id/org/q-star> "comma, \\"quote\\"\\nnew line" 24)
  (<https://example.org/x> "pipe | here"@en 1.5)
  (UNDEF "東北大学"@ja "2021-02"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>)
} }"""


@pytest.fixture(scope="module")
def memory_store():
    import pyoxigraph as ox

    return ox.Store()


@pytest.fixture(scope="module")
def tricky(memory_store):
    """A SELECT result with IRIs, quotes, a newline, languages, numbers and an unbound cell."""
    from qkg.store import EmbeddedBackend

    return EmbeddedBackend(store=memory_store).query(VALUES_QUERY)


def roundtrip(result):
    """The result as a remote endpoint returns it: through W3C JSON and back."""
    import pyoxigraph as ox

    from qkg.results import to_json
    from qkg.store import _from_pyoxigraph

    return _from_pyoxigraph(ox.parse_query_results(json.dumps(to_json(result)).encode(),
                                                   format=ox.QueryResultsFormat.JSON))


def test_json_has_the_w3c_shape(tricky):
    from qkg.results import render

    doc = json.loads(render(tricky, "json"))
    assert doc["head"]["vars"] == ["iri", "text", "n"]
    assert doc["results"]["bindings"][0] == {
        "iri": {"type": "uri", "value": "https://w3id.org/qkg/id/org/q-star"},
        "text": {"type": "literal", "value": 'comma, "quote"\nnew line'},
        "n": {"type": "literal", "value": "24", "datatype": XSD + "integer"},
    }
    assert doc["results"]["bindings"][2]["text"] == {"type": "literal", "value": "東北大学", "xml:lang": "ja"}
    assert "iri" not in doc["results"]["bindings"][2]


def test_json_reads_back_into_the_same_terms(tricky):
    assert roundtrip(tricky).rows == tricky.rows


@pytest.mark.parametrize("fmt,kind", [("csv", "CSV"), ("tsv", "TSV")])
def test_csv_tsv_are_oxigraph_s_w3c_serialization(memory_store, tricky, fmt, kind):
    """Byte for byte what pyoxigraph writes for the same solutions (CRLF in CSV, N-Triples terms in TSV)."""
    import pyoxigraph as ox

    from qkg.results import render

    direct = memory_store.query(VALUES_QUERY).serialize(format=getattr(ox.QueryResultsFormat, kind)).decode()
    assert render(tricky, fmt) == (direct if direct.endswith("\n") else direct + "\n")


CSV_EXPECTED = ('iri,text,n\r\nhttps://w3id.org/qkg/id/org/q-star,"comma, ""quote""\nnew line",24\r\n'
                "https://example.org/x,pipe | here,1.5\r\n,東北大学,2021-02\r\n")
TSV_HEADER = "?iri\t?text\t?n\n"


def test_csv_text(tricky):
    from qkg.results import render

    assert render(tricky, "csv") == CSV_EXPECTED


def test_tsv_header_and_terms(tricky):
    from qkg.results import render

    text = render(tricky, "tsv")
    assert text.startswith(TSV_HEADER)
    assert '\t"東北大学"@ja\t"2021-02"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>\n' in text


FORMATS = ["table", "csv", "tsv", "json", "md"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_remote_results_render_identically(backend, fmt):
    """A result that came through W3C JSON (as from an endpoint) renders the same."""
    from qkg.queries import Catalog
    from qkg.results import render

    result = Catalog.load().run(backend, "list-events-timeline", {})
    assert render(roundtrip(result), fmt, width=120) == render(result, fmt, width=120)


@pytest.mark.parametrize("fmt,expected", [
    ("json", '{\n "head": {},\n "boolean": true\n}\n'),
    ("csv", "true\n"),
    ("tsv", "true\n"),
    ("table", "boolean\n-------\ntrue\n"),
    ("md", "| boolean |\n| --- |\n| true |\n"),
])
def test_ask(memory_store, fmt, expected):
    from qkg.results import render
    from qkg.store import EmbeddedBackend

    assert render(EmbeddedBackend(store=memory_store).query("ASK {}"), fmt) == expected


def test_markdown_escapes_pipes_and_flattens_lines(tricky):
    from qkg.results import render

    lines = render(tricky, "md").splitlines()
    assert lines[:2] == ["| iri | text | n |", "| --- | --- | --- |"]
    assert lines[3] == "| <https://example.org/x> | pipe \\| here | 1.5 |"
    assert lines[2] == '| qorg:q-star | comma, "quote" new line | 24 |'


@pytest.mark.parametrize("width", [20, 40, 80])
def test_table_fits_the_width(tricky, width):
    from qkg.results import MIN_WIDTH, render

    lines = render(tricky, "table", width=width).splitlines()
    assert max(len(line) for line in lines) <= max(width, 3 * MIN_WIDTH + 4)


def test_table_cuts_long_cells_with_an_ellipsis(tricky):
    from qkg.results import render

    lines = render(tricky, "table", width=30).splitlines()
    first = lines[2].split()[0]
    assert (first.startswith("qorg:"), first.endswith("…"), lines[-1]) == (True, True, "(3 rows)")


def test_fit_shrinks_the_widest_first():
    from qkg.results import fit

    assert fit([40, 30, 10], 60) == [23, 23, 10]


def test_narrow_table_leaves_out_iri_columns_that_have_labels(backend):
    from qkg.queries import Catalog
    from qkg.results import render

    lines = render(Catalog.load().run(backend, "list-posts", {}), "table", width=100).splitlines()
    assert (lines[0].split(), lines[-1]) == (
        ["personLabel", "postLabel", "organizationLabel", "asOf", "source"],
        "(5 rows; not shown to fit the width: person, post, organization (-f csv shows all))")


TRIPLES_QUERY = """CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) {
  (<https://w3id.org/qkg/id/org/q-star> <http://www.w3.org/2000/01/rdf-schema#label> "Q-STAR"@en)
  (<https://w3id.org/qkg/id/org/q-star> <https://w3id.org/qkg/ontology#foundingDate> "2021-09-01"^^<http://www.w3.org/2001/XMLSchema#date>)
  (<https://example.org/other> <https://schema.org/name> "x")
} }"""


@pytest.mark.parametrize("fmt,rdf_format", [("ttl", "TURTLE"), ("nt", "N_TRIPLES"), ("jsonld", "JSON_LD")])
def test_graph_formats_read_back(memory_store, fmt, rdf_format):
    import pyoxigraph as ox

    from qkg.results import render
    from qkg.store import EmbeddedBackend

    result = EmbeddedBackend(store=memory_store).query(TRIPLES_QUERY)
    text = render(result, fmt)
    back = {q.triple for q in ox.parse(text.encode(), format=getattr(ox.RdfFormat, rdf_format))}
    assert back == set(result.triples)


def test_turtle_declares_only_the_prefixes_it_uses(memory_store):
    from qkg.results import render
    from qkg.store import EmbeddedBackend

    text = render(EmbeddedBackend(store=memory_store).query(TRIPLES_QUERY), "ttl")
    prefixes = sorted(line.split()[1] for line in text.splitlines() if line.startswith("@prefix"))
    assert prefixes == ["qkg:", "qorg:", "rdfs:", "schema:", "xsd:"]


@pytest.mark.parametrize("query,fmt", [(VALUES_QUERY, "ttl"), (VALUES_QUERY, "jsonld"), (TRIPLES_QUERY, "csv"),
                                       (TRIPLES_QUERY, "table")])
def test_format_must_fit_the_result(memory_store, query, fmt):
    from qkg.results import render
    from qkg.store import EmbeddedBackend

    with pytest.raises(UsageError, match="--format"):
        render(EmbeddedBackend(store=memory_store).query(query), fmt)


def test_every_format_has_a_media_type():
    from qkg.results import GRAPH_FORMATS, MEDIA_TYPES, SELECT_FORMATS

    assert sorted(MEDIA_TYPES) == sorted(SELECT_FORMATS + GRAPH_FORMATS)
