"""qkg.site: a page per entity with its label and facts, no broken internal link,
quotes marked in the source texts, escaping, paths that mirror the IRIs.

The lists of entities and pages are computed at collection time from the project's
files (so each page is its own test case); a test checks they equal what the site
renders from the built store.
"""
from __future__ import annotations

import os
import subprocess
import sys
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from qkg.namespaces import GRAPH, ID, OA, OWL, QKG, RDF, RDFS

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def _asserted_quads() -> list:
    import pyoxigraph as ox

    from qkg.paths import Project

    quads = []
    for graph, path in Project(ROOT).graph_files():
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            quads.append((q, graph))
    return quads


def asserted_entities() -> list[str]:
    """Every IRI under id/ the input files mention: each must have a page."""
    import pyoxigraph as ox

    found = set()
    for q, _ in _asserted_quads():
        for t in (q.subject, q.object):
            if isinstance(t, ox.NamedNode) and t.value.startswith(ID) and len(t.value) > len(ID):
                found.add(t.value)
    return sorted(found)


def ontology_terms() -> tuple[list[str], list[str]]:
    classes, props = set(), set()
    prop_types = {OWL + k for k in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")} | {RDF + "Property"}
    for q, graph in _asserted_quads():
        if graph.endswith("/ontology") and q.predicate.value == RDF + "type" and q.subject.value.startswith(QKG):
            if q.object.value in (OWL + "Class", RDFS + "Class"):
                classes.add(q.subject.value)
            elif q.object.value in prop_types:
                props.add(q.subject.value)
    return sorted(classes), sorted(props)


def graph_ids() -> list[str]:
    from qkg.paths import Project

    return sorted(["inferred", "ontology", "reference", "sources", *(s.source_id for s in Project(ROOT).sources())])


def site_pages() -> list[str]:
    """Every HTML page of the site, as paths from its root."""
    from qkg.site_paths import page_path

    classes, props = ontology_terms()
    pages = [page_path(e) for e in asserted_entities()]
    pages += [f"graph/{g}/index.html" for g in graph_ids()]
    pages += [page_path(t, set(classes), set(props)) for t in classes + props]
    return sorted(pages + ["index.html", "ontology/index.html", "dataset/index.html"])


class Page(HTMLParser):
    """What the tests read from a page: ids, links, the heading, the facts rows."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.marks: set[str] = set()
        self.facts: list[str] = []
        self.h1 = ""
        self.article_iri = None
        self.times: list[str] = []
        self._in_h1 = self._in_timeline_time = False
        self._in_timeline = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.links.append(a[key])
        if tag == "mark" and "id" in a:
            self.marks.add(a["id"])
        if tag == "tr" and "data-property" in a:
            self.facts.append(a["data-property"])
        if tag == "h1":
            self._in_h1 = True
        if tag == "article" and self.article_iri is None:
            self.article_iri = a.get("data-iri")
        if tag == "ol" and "timeline" in (a.get("class") or ""):
            self._in_timeline = True
        if tag == "time" and self._in_timeline:
            self._in_timeline_time = True

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        if tag == "ol":
            self._in_timeline = False
        if tag == "time":
            self._in_timeline_time = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data
        if self._in_timeline_time:
            self.times.append(data)


@pytest.fixture(scope="session")
def site(backend, project, tmp_path_factory):
    from qkg.site import build_site

    out = tmp_path_factory.mktemp("site") / "out"
    build_site(backend, out, project=project)
    return out


@pytest.fixture(scope="session")
def data(backend, project):
    from qkg.site import snapshot

    return snapshot(backend, project)


def read_page(site: Path, path: str) -> Page:
    return Page((site / path).read_text(encoding="utf-8"))


def test_collection_time_entities_are_the_rendered_entities(data):
    assert asserted_entities() == data.entities()


def test_collection_time_pages_are_the_written_pages(site):
    written = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    assert written == site_pages()


@pytest.mark.parametrize("iri", asserted_entities(), ids=lambda iri: iri[len(ID):])
def test_entity_page_shows_its_label_and_every_fact(iri, site, data):
    from qkg.site_paths import page_path

    page = read_page(site, page_path(iri))
    stated = {p for p, _, _ in data.facts(iri) if p != RDF + "type"}
    assert (page.article_iri, page.h1, sorted(page.facts)) == (iri, data.label(iri), sorted(stated))


@pytest.mark.parametrize("iri", asserted_entities(), ids=lambda iri: iri[len(ID):])
def test_entity_turtle_and_jsonld_hold_the_same_description(iri, site):
    import pyoxigraph as ox

    from qkg import jsonld
    from qkg.site_paths import page_path

    folder = site / page_path(iri).rsplit("/", 1)[0]
    ttl = ox.Dataset(ox.parse(path=str(folder / "index.ttl"), format=ox.RdfFormat.TURTLE))
    from_jsonld = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object)
                             for q in jsonld.to_quads((folder / "index.jsonld").read_bytes()))
    for ds in (ttl, from_jsonld):
        ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert ttl == from_jsonld


@pytest.mark.parametrize("path", site_pages())
def test_no_broken_internal_link(path, site):
    page = read_page(site, path)
    broken = []
    for href in page.links:
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            continue  # external
        target = (site / path).parent / unquote(parts.path) if parts.path else site / path
        target = target.resolve()
        if not target.is_file() or not str(target).startswith(str(site.resolve())):
            broken.append(href)
        elif parts.fragment and target.suffix == ".html" and parts.fragment not in Page(target.read_text()).ids:
            broken.append(href)
    assert broken == []


def _quotes_of(source_id: str) -> list[str]:
    """Every oa:exact that the source's own graph quotes from the source."""
    graph = GRAPH + source_id
    by_subject: dict = {}
    for q, g in _asserted_quads():
        if g == graph:
            by_subject.setdefault(q.subject, []).append(q)
    doc = "https://w3id.org/qkg/id/doc/" + source_id
    out = []
    for quads in by_subject.values():
        if any(q.predicate.value == OA + "hasSource" and q.object.value == doc for q in quads):
            for sel in (q.object for q in quads if q.predicate.value == OA + "hasSelector"):
                out += [q.object.value for q in by_subject.get(sel, []) if q.predicate.value == OA + "exact"]
    return sorted(set(out))


@pytest.mark.parametrize("source_id", [g for g in graph_ids() if g not in ("inferred", "ontology", "reference", "sources")])
def test_document_page_marks_every_quote_at_its_first_occurrence(source_id, site, project):
    text = (project.sources_dir / f"{source_id}.txt").read_text(encoding="utf-8")
    page = read_page(site, f"id/doc/{source_id}/index.html")
    expected = {f"q-{text.find(exact)}" for exact in _quotes_of(source_id)}
    assert expected and expected <= page.marks


def test_marks_cover_exactly_the_quoted_text(backend, project):
    """Overlapping quotes split into segments; the marked text is the union of quotes."""
    import html as html_lib
    import re

    from qkg.site import render_entity

    source_id = next(g for g in graph_ids() if g not in ("inferred", "ontology", "reference", "sources"))
    html = render_entity(backend, "https://w3id.org/qkg/id/doc/" + source_id, base="/", project=project)
    text = (project.sources_dir / f"{source_id}.txt").read_text(encoding="utf-8")
    covered = [False] * len(text)
    for exact in _quotes_of(source_id):
        start = text.find(exact)
        covered[start:start + len(exact)] = [True] * len(exact)
    body = html.split('<div class="source-text">', 1)[1].split("</div>", 1)[0]
    marked = "".join(html_lib.unescape(m) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", body, re.S))
    assert marked == "".join(c for c, on in zip(text, covered) if on)


def test_search_index_lists_every_entity_page(site):
    import json

    from qkg.site_paths import page_path

    entries = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    assert {e["u"] for e in entries if e["i"].startswith(ID)} == {page_path(i) for i in asserted_entities()}


def test_agent_timeline_is_ordered_by_date(site):
    page = read_page(site, "id/org/q-star/index.html")
    assert len(page.times) >= 2 and page.times == sorted(page.times)


def _tiny_backend(label: str):
    import pyoxigraph as ox

    from qkg.store import EmbeddedBackend

    store = ox.Store()
    org = ox.NamedNode(ID + "org/x")
    store.add(ox.Quad(org, ox.NamedNode(RDFS + "label"), ox.Literal(label, language="en"), ox.NamedNode(GRAPH + "t")))
    store.add(ox.Quad(org, ox.NamedNode(RDF + "type"), ox.NamedNode(QKG + "Organization"), ox.NamedNode(GRAPH + "t")))
    return EmbeddedBackend(store=store)


def test_data_is_html_escaped():
    from qkg.site import render_entity

    html = render_entity(_tiny_backend('<script>alert("x")</script>'), ID + "org/x")
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_render_entity_returns_none_for_an_unknown_iri(backend):
    from qkg.site import render_entity

    assert render_entity(backend, ID + "org/no-such-organization") is None


def test_render_entity_prefixes_links_with_the_base(backend):
    from qkg.site import render_entity

    page = Page(render_entity(backend, ID + "org/q-star", base="/site/"))
    internal = [h for h in page.links if not urlsplit(h).scheme]
    assert internal and all(h.startswith("/site/") for h in internal)


def test_render_index_links_every_event(backend, data):
    from qkg.site import render_index
    from qkg.site_pages import EVENT

    links = set(Page(render_index(backend, base="/")).links)
    assert {"/" + i[len("https://w3id.org/qkg/"):] for i in data.instances(EVENT)} <= links


ASSETS = [("static/site/style.css", "text/css"), ("/static/site/search.js", "text/javascript"),
          ("search-index.js", "text/javascript"), ("static/site/../../site.py", None), ("id/org/q-star", None)]


@pytest.mark.parametrize("path,media_type", ASSETS)
def test_assets_for_a_server(path, media_type, backend):
    from qkg.site import asset

    found = asset(backend, path)
    assert (found[1].split(";")[0] if found else None) == media_type


PATHS = [
    (ID + "org/q-star", "id/org/q-star/index.html"),
    (GRAPH + "sources", "graph/sources/index.html"),
    ("https://w3id.org/qkg/ontology", "ontology/index.html"),
    (QKG + "Event", "ontology/class/Event.html"),
    (QKG + "venue", "ontology/property/venue.html"),
    (QKG + "unknownTerm", "ontology/index.html#unknownTerm"),
    ("https://w3id.org/qkg/dataset", "dataset/index.html"),
    ("https://schema.org/Event", None),
]


@pytest.mark.parametrize("iri,path", PATHS, ids=[p[0].rsplit("/", 1)[-1] for p in PATHS])
def test_page_paths_mirror_iri_paths(iri, path):
    from qkg.site_paths import page_path

    assert page_path(iri, {QKG + "Event"}, {QKG + "venue"}) == path


HREFS = [
    ("id/org/q-star/index.html", None, "id/person/kohei-itoh/index.html", "../../person/kohei-itoh/index.html"),
    ("index.html", None, "id/org/q-star/index.html", "id/org/q-star/index.html"),
    ("ontology/class/Event.html", None, "index.html", "../../index.html"),
    ("id/org/q-star/index.html", "/", "id/person/kohei-itoh/index.html", "/id/person/kohei-itoh"),
    ("id/org/q-star/index.html", "/", "index.html", "/"),
    ("index.html", "/qkg/", "ontology/index.html#Event", "/qkg/ontology#Event"),
]


@pytest.mark.parametrize("page,base,target,href", HREFS)
def test_links_are_relative_in_the_site_and_based_for_a_server(page, base, target, href):
    from qkg.site_paths import Links

    assert Links(page, base).to(target) == href


def test_refuses_to_replace_a_directory_it_did_not_write(backend, tmp_path):
    from qkg.errors import UsageError
    from qkg.site import build_site

    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds no qkg site"):
        build_site(backend, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_rebuilding_removes_pages_the_data_no_longer_has(backend, tmp_path):
    from qkg.site import build_site

    build_site(backend, tmp_path)
    stale = tmp_path / "id" / "org" / "gone" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    build_site(backend, tmp_path)
    assert (not stale.exists(), stale.parent.exists(), (tmp_path / "index.html").is_file()) == (True, False, True)


def test_cli_writes_a_site_and_replaces_its_own_output(store_path, tmp_path):
    script = str(Path(sys.executable).parent / "qkg")
    out = tmp_path / "site"
    runs = [subprocess.run([script, "-q", "site", str(out)], capture_output=True, text=True,
                           env=os.environ.copy(), cwd=ROOT, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    assert (out / "index.html").is_file() and (out / "id" / "org" / "q-star" / "index.html").is_file()
