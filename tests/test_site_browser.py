"""The static site in a real headless browser (Debian's chromium through playwright).

The site is served by a local ``http.server`` on a free 127.0.0.1 port for the whole
session, and also opened from ``file://`` URLs (offline browsing). Without chromium
the tests skip, except under CI (``$CI`` set), where they fail: a CI run that checks
nothing must not look green. ``$QKG_CHROMIUM`` names another chromium binary.
"""
from __future__ import annotations

import threading
from functools import partial
from urllib.parse import urlsplit

import pytest

from qkg.namespaces import ID
from test_site import asserted_entities, data, site  # noqa: F401  (fixtures and case lists shared with test_site)

pytestmark = pytest.mark.browser



@pytest.fixture(scope="session")
def served(site):  # noqa: F811
    """The site on http://127.0.0.1:<free port>/, stopped after the session."""
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class Tab:
    """One browser page that records script errors and any request leaving the machine."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # listening is cheaper than routing every request through Python
        self.page.on("request", self._request)

    def _request(self, request):
        url = request.url
        if not (url.startswith(("file:", "data:", "about:")) or urlsplit(url).hostname == "127.0.0.1"):
            self.outside.append(url)

    def open(self, url: str):
        self.errors.clear()
        self.outside.clear()
        response = self.page.goto(url, wait_until="load")
        return response


@pytest.fixture(scope="module")
def tab(browser):
    t = Tab(browser)
    yield t
    t.context.close()


def page_url(base: str, iri: str) -> str:
    from qkg.site_paths import page_path

    return base + page_path(iri)


@pytest.mark.parametrize("iri", asserted_entities(), ids=lambda iri: iri[len(ID):])
def test_entity_page_renders_label_and_facts(iri, tab, served, data):  # noqa: F811
    from qkg.namespaces import RDF

    response = tab.open(page_url(served, iri))
    shown = (response.status, tab.page.locator("h1#label").inner_text(),
             tab.page.locator("table.facts tr[data-property]").count(), tab.errors, tab.outside)
    facts = len({p for p, _, _ in data.facts(iri) if p != RDF + "type"})
    assert shown == (200, data.label(iri), facts, [], [])


SEARCHES = [
    ("Q-STAR", ID + "org/q-star"),
    ("kohei itoh", ID + "person/kohei-itoh"),
    ("日本", ID + "country/japan"),
    ("nanoterasu", ID + "place/nanoterasu"),
]


@pytest.mark.parametrize("query,iri", SEARCHES, ids=[s[1][len(ID):] for s in SEARCHES])
def test_search_box_finds_an_entity(query, iri, tab, served, data):  # noqa: F811
    from playwright.sync_api import expect

    tab.open(served + "index.html")
    tab.page.fill("#search", query)
    first = tab.page.locator("#search-results a").first
    expect(first).to_be_visible()
    tab.page.press("#search", "Enter")
    tab.page.wait_for_url(page_url(served, iri))
    assert tab.page.locator("h1#label").inner_text() == data.label(iri)


def test_search_works_from_file_urls(tab, site):  # noqa: F811
    """Offline browsing: the index is a script, so no fetch() that file:// would block."""
    from playwright.sync_api import expect

    tab.open((site / "id" / "event" / "2023-05-14-quantum-innovation-high-level-meeting" / "index.html").as_uri())
    tab.page.fill("#search", "Q-STAR")
    first = tab.page.locator("#search-results a").first
    expect(first).to_have_attribute("href", "../../../id/org/q-star/index.html")
    first.click()
    assert tab.page.url == (site / "id" / "org" / "q-star" / "index.html").as_uri() and tab.errors == []


def test_evidence_link_lands_on_the_marked_quote(tab, served):
    from playwright.sync_api import expect

    tab.open(page_url(served, ID + "org/q-star"))
    quote = tab.page.locator("blockquote.quote").first
    exact = quote.locator("p").inner_text()
    quote.locator("footer a").click()
    anchor = urlsplit(tab.page.url).fragment
    mark = tab.page.locator(f"mark#{anchor}")
    expect(mark).to_be_in_viewport()
    assert exact.startswith(mark.inner_text())


def test_click_through_from_the_index(tab, served):
    """A browser smoke of the links the Python crawl checks: index → event → agent →
    back to an event through the agent's timeline."""
    tab.open(served + "index.html")
    tab.page.locator("ul.events a").first.click()
    event = tab.page.locator("h1#label").inner_text()
    tab.page.locator("table.participants td a").first.click()
    agent_url = tab.page.url
    tab.page.locator("ol.timeline li a").first.click()
    assert (event, tab.page.url != agent_url, tab.page.locator("h1#label").inner_text() != "", tab.errors) == (
        event, True, True, [])
