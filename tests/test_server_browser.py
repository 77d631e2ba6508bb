"""The query UI and the API page of ``qkg serve`` in headless chromium (playwright).

A stored query is picked in the UI, run, and its rows appear in YASGUI's table; the
page must not ask any host but the server (YASGUI is served from the package). Without
chromium the tests skip, except under CI (``$CI`` set), where they fail.
``$QKG_CHROMIUM`` names another chromium binary.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from test_server_live import Server

pytestmark = pytest.mark.browser

WAIT_MS = 20_000


@pytest.fixture(scope="module")
def live(store_path, tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("serve"), "--processes", "1", "--no-access-log")
    yield srv
    srv.stop()


@pytest.fixture
def page(browser, live):
    """A fresh page that records script errors and every request to another host."""
    context = browser.new_context()
    tab = context.new_page()
    tab.errors, tab.outside = [], []
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    # a Content-Security-Policy violation is only a console message
    tab.on("console", lambda msg: tab.errors.append(msg.text)
           if msg.type == "error" and "Content Security Policy" in msg.text else None)
    here = urlsplit(live.url).netloc
    tab.on("request", lambda r: tab.outside.append(r.url)
           if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != here else None)
    yield tab
    context.close()


@pytest.fixture(scope="module")
def documents(backend, project):
    from qkg.queries import Catalog

    return Catalog.load(project).run(backend, "list-documents")


def test_stored_query_runs_in_the_ui(page, live, documents):
    page.goto(live.url + "/")
    page.wait_for_selector("#stored:not([hidden])", timeout=WAIT_MS)
    page.select_option("#stored-query", "list-documents")
    page.click("#stored-run")
    page.wait_for_selector(".yasr table tbody tr td", timeout=WAIT_MS)
    rows = page.locator(".yasr table tbody tr")
    assert rows.count() == len(documents.rows)
    table = page.inner_text(".yasr table")
    titles = [row[documents.variables.index("title")].value for row in documents.rows]
    assert titles and all(" ".join(t.split()) in " ".join(table.split()) for t in titles)
    assert page.evaluate("qkgYasgui.getTab().getName()") == "list-documents"
    assert page.outside == [] and page.errors == []


def test_editor_declares_the_prefixes_and_queries_the_server(page, live):
    from qkg.namespaces import PREFIXES

    page.goto(live.url + "/")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=WAIT_MS)
    text = page.evaluate("qkgYasgui.getTab().getYasqe().getValue()")
    assert all(f"PREFIX {p}: <{ns}>" in text for p, ns in PREFIXES.items())
    assert page.evaluate("qkgYasgui.getTab().getEndpoint()") == live.url + "/sparql"
    page.evaluate("qkgYasgui.getTab().query()")
    page.wait_for_selector(".yasr table tbody tr td", timeout=WAIT_MS)
    assert page.outside == [] and page.errors == []


def test_api_page_calls_a_stored_query(page, live):
    page.goto(live.url + "/api/")
    page.wait_for_selector("details.op", timeout=WAIT_MS)
    page.click("#list-documents > summary")
    page.select_option("#list-documents select[name=__accept]", "text/csv")
    page.click("#list-documents button[type=submit]")
    # a locator, not wait_for_function: the page's CSP forbids evaluating strings
    page.locator("#list-documents .status", has_text="200 OK").wait_for(timeout=WAIT_MS)
    assert page.inner_text("#list-documents pre").startswith("document,title,issued,")
    assert "curl -H 'Accept: text/csv'" in page.inner_text("#list-documents .curl")
    assert page.outside == [] and page.errors == []
