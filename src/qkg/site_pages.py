"""HTML of the site's pages: entities, source documents, ontology terms, the index.

Templates are :class:`string.Template` files in ``qkg/templates``; every value that
comes from the data passes through :func:`esc` (``html.escape``) before it reaches a
template, and fragments are built from escaped parts only.
"""
from __future__ import annotations

import html
from functools import lru_cache
from string import Template

from qkg.namespaces import INFERRED_GRAPH, QKG, RDF, SKOS, XSD, shorten
from qkg.site_data import DEFINITIONS, LABELS, SiteData, graph_label
from qkg.site_paths import DATASET, Links, page_path

AGENT, EVENT = QKG + "Agent", QKG + "Event"
PARTICIPATION = QKG + "hasParticipation"


def esc(text) -> str:
    return html.escape(str(text), quote=True)


@lru_cache(maxsize=None)
def template(name: str) -> Template:
    from importlib import resources

    return Template(resources.files("qkg").joinpath(f"templates/{name}").read_text(encoding="utf-8"))


def page(title: str, main: str, links: Links, head: str = "") -> str:
    """A whole HTML page around ``main`` (already HTML)."""
    from qkg import __version__

    return template("page.html").substitute(
        title=esc(title), main=main, head=head, root=esc(links.root), version=esc(__version__),
        css=esc(links.to("static/site/style.css")), home=esc(links.to("index.html")),
        ontology=esc(links.to("ontology/index.html")), dataset=esc(links.to("dataset/index.html")),
        search_index=esc(links.to("search-index.js")), search_js=esc(links.to("static/site/search.js")))


# -- values --------------------------------------------------------------------------

def link(data: SiteData, links: Links, iri: str, text: str | None = None) -> str:
    href, internal = links.iri(iri)
    if text is not None:
        shown = text
    elif internal or data.has_label(iri):
        shown = data.label(iri)
    else:
        short = shorten(iri)
        shown = iri if short.startswith("<") else short
    cls = "" if internal else ' class="external"'
    return f'<a href="{esc(href)}"{cls}>{esc(shown)}</a>'


def value(data: SiteData, links: Links, term, depth: int = 0) -> str:
    ox = data.ox
    if isinstance(term, ox.NamedNode):
        return link(data, links, term.value)
    if isinstance(term, ox.BlankNode):
        if depth > 2:
            return '<span class="blank">…</span>'
        rows = "".join(f"<dt>{link(data, links, p, shorten(p))}</dt><dd>{value(data, links, o, depth + 1)}</dd>"
                       for p, o, _ in sorted(data.out.get(term, []), key=lambda f: (f[0], str(f[1]))))
        return f'<dl class="blank">{rows}</dl>'
    hint = ""
    if term.language:
        hint = f'<span class="dt">@{esc(term.language)}</span>'
    elif term.datatype.value != XSD + "string":
        hint = f'<span class="dt">{esc(shorten(term.datatype.value))}</span>'
    return f'<span class="literal">{esc(term.value)}</span>{hint}'


def badges(data: SiteData, links: Links, graphs: list[str]) -> str:
    out = []
    for g in sorted(set(graphs)):
        if g == INFERRED_GRAPH:
            out.append('<span class="badge inferred" title="inferred at build time">inferred</span>')
            continue
        name = graph_label(g)
        doc = next((d for d, t in data.texts.items() if t.source_id == name), None)
        href, _ = links.iri(doc or g)
        out.append(f'<a class="badge" href="{esc(href)}" title="stated in graph {esc(g)}">{esc(name)}</a>')
    return " ".join(out)


def section(title: str, body: str, anchor: str) -> str:
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>\n{body}\n</section>' if body else ""


# -- entity pages ----------------------------------------------------------------------

def facts_table(data: SiteData, links: Links, iri: str) -> str:
    grouped: dict = {}
    for p, o, g in data.facts(iri):
        if p == RDF + "type":
            continue
        grouped.setdefault(p, {}).setdefault(o, []).append(g)
    if not grouped:
        return ""
    rows = []
    def order(p):  # labels, then what the sources state, then what only inference adds
        stated = any(g != INFERRED_GRAPH for gs in grouped[p].values() for g in gs)
        return (p not in LABELS, not stated, data.label(p).lower(), p)

    for p in sorted(grouped, key=order):
        cells = []
        for o in sorted(grouped[p], key=lambda t: (data.label(t.value) if isinstance(t, data.ox.NamedNode)
                                                    else t.value)):
            cells.append(f'<li>{value(data, links, o)} {badges(data, links, grouped[p][o])}</li>')
        rows.append(f'<tr data-property="{esc(p)}"><th>{link(data, links, p)}</th>'
                    f'<td><ul>{"".join(cells)}</ul></td></tr>')
    return f'<table class="facts"><tbody>{"".join(rows)}</tbody></table>'


def incoming(data: SiteData, links: Links, iri: str) -> str:
    from qkg.namespaces import OA

    pairs = {(s.value, p) for s, p, _ in data.inc.get(iri, ())
             if isinstance(s, data.ox.NamedNode) and p not in (OA + "hasBody", RDF + "type")}
    if not pairs:
        return ""
    items = [f"<li>{link(data, links, s)} <span class=\"via\">{link(data, links, p, data.label(p))}</span></li>"
             for s, p in sorted(pairs, key=lambda sp: (data.label(sp[1]), data.label(sp[0]), sp))]
    return f'<ul class="incoming">{"".join(items)}</ul>'


def timeline_entries(data: SiteData, iri: str) -> list[tuple[str, str, str, str]]:
    """``(date, event IRI, what, via IRI)`` for an agent: its participations, posts
    held and observations, ordered by date."""
    entries = []
    for s, p, _ in data.inc.get(iri, ()):
        if not isinstance(s, data.ox.NamedNode):
            continue
        if p == QKG + "agent":
            roles = ", ".join(sorted(data.label(r.value) for r in data.values(s.value, QKG + "role")))
            for ev, p2, _ in data.inc.get(s.value, ()):
                if p2 == PARTICIPATION:
                    date = data.first_date(ev.value) or first_value(data, ev.value, QKG + "startDate")
                    entries.append((date, ev.value, roles, s.value))
        elif p == QKG + "holder":
            posts = [o.value for o in data.values(s.value, QKG + "post")]
            for post in posts:
                entries.append((first_value(data, s.value, QKG + "asOf"), post, "holds this post", s.value))
    return sorted(set(entries), key=lambda e: (e[0] == "", e[0], data.label(e[1]), e))


def first_value(data: SiteData, iri: str, prop: str) -> str:
    vals = sorted(o.value for o in data.values(iri, prop))
    return vals[0] if vals else ""


def timeline(data: SiteData, links: Links, iri: str) -> str:
    entries = timeline_entries(data, iri)
    if not entries:
        return ""
    rows = [f'<li><time>{esc(date or "undated")}</time> {link(data, links, target)} '
            f'<span class="role">{esc(what)}</span> <a class="via" href="{esc(links.iri(via)[0])}">details</a></li>'
            for date, target, what, via in entries]
    return f'<ol class="timeline">{"".join(rows)}</ol>'


def participants(data: SiteData, links: Links, iri: str) -> str:
    rows = []
    for part in data.values(iri, PARTICIPATION):
        for agent in data.values(part.value, QKG + "agent"):
            for role in data.values(part.value, QKG + "role") or [None]:
                rows.append((data.label(role.value) if role else "", data.label(agent.value), agent.value, part.value))
    if not rows:
        return ""
    items = [f'<tr><td>{esc(role)}</td><td>{link(data, links, agent)}</td>'
             f'<td><a href="{esc(links.iri(part)[0])}">evidence</a></td></tr>' for role, _, agent, part in sorted(set(rows))]
    return f'<table class="participants"><thead><tr><th>role</th><th>agent</th><th></th></tr></thead><tbody>{"".join(items)}</tbody></table>'


def evidence(data: SiteData, links: Links, iri: str) -> str:
    items = []
    for ev in data.evidence_of.get(iri, []):
        props = ", ".join(link(data, links, p, data.label(p)) for p in ev.supports) or "this entity"
        quotes = []
        for q in ev.quotes:
            doc_path = page_path(q.doc)
            href = links.to(doc_path + ("#" + q.anchor if q.anchor else "")) if doc_path else q.doc
            quotes.append(f'<blockquote class="quote"><p>{esc(q.exact)}</p><footer><a href="{esc(href)}">'
                          f'{esc(data.label(q.doc))}</a></footer></blockquote>')
        items.append(f'<li class="evidence"><p>Supports {props} {badges(data, links, [ev.graph])}</p>'
                     f'{"".join(quotes)}</li>')
    return f'<ul class="evidence">{"".join(items)}</ul>' if items else ""


def source_text(data: SiteData, iri: str) -> str:
    """The document's text with every quoted passage in a ``<mark>``; overlapping
    quotes are split into segments so the marks never overlap."""
    src = data.texts.get(iri)
    if src is None:
        return ""
    if src.text is None:
        return '<p class="missing">The text of this document is not available here.</p>'
    text = src.text
    cuts = sorted({0, len(text)} | {i for span in src.marks for i in span})
    starts = {s for s, _ in src.marks}
    out = []
    for a, b in zip(cuts, cuts[1:]):
        chunk = esc(text[a:b])
        covering = [m for m in src.marks if m[0] <= a and b <= m[1]]
        if covering:
            anchor = f' id="q-{a}"' if a in starts else ""
            out.append(f'<mark{anchor}>{chunk}</mark>')
        else:
            out.append(chunk)
    return f'<div class="source-text">{"".join(out)}</div>'


def entity_main(data: SiteData, links: Links, iri: str) -> str:
    types = data.types(iri) or data.types(iri, asserted=False)
    type_links = ", ".join(link(data, links, t) for t in types) or "resource"
    other = sorted({(o.language or "", o.value) for p, o, _ in data.facts(iri)
                    if p in LABELS + (SKOS + "altLabel",) and isinstance(o, data.ox.Literal)
                    and o.value != data.label(iri)})
    other_html = ('<p class="other-labels">Also: ' + ", ".join(
        f'<span lang="{esc(lang)}">{esc(v)}</span>' if lang else esc(v) for lang, v in other) + "</p>") if other else ""
    sections = [section("Facts", facts_table(data, links, iri), "facts")]
    if data.is_a(iri, EVENT):
        sections.append(section("Participants", participants(data, links, iri), "participants"))
    if data.is_a(iri, AGENT):
        sections.append(section("Timeline", timeline(data, links, iri), "timeline"))
    sections.append(section("Evidence", evidence(data, links, iri), "evidence"))
    sections.append(section("Referenced by", incoming(data, links, iri), "incoming"))
    if iri in data.texts:
        sections.append(section("Text", source_text(data, iri), "text"))
    return template("entity.html").substitute(
        iri=esc(iri), label=esc(data.label(iri)), types=type_links, other_labels=other_html,
        ttl=esc(links.sibling("index.ttl")), jsonld=esc(links.sibling("index.jsonld")),
        sections="\n".join(s for s in sections if s))


# -- shared by the ontology pages ------------------------------------------------------

def definition(data: SiteData, iri: str) -> str:
    for prop in DEFINITIONS:
        vals = sorted((o.language != "en", o.value) for o in data.values(iri, prop) if isinstance(o, data.ox.Literal))
        if vals:
            return vals[0][1]
    return ""


def term_list(data: SiteData, links: Links, iris) -> str:
    items = [f"<li>{link(data, links, i)}</li>" for i in sorted(set(iris), key=lambda i: (data.label(i).lower(), i))]
    return f'<ul class="terms">{"".join(items)}</ul>' if items else ""



# -- index ---------------------------------------------------------------------------------

GROUPS = (
    ("Source documents", QKG + "SourceDocument"), ("Events", EVENT), ("Organizations", QKG + "Organization"),
    ("People", QKG + "Person"), ("Groups", QKG + "AgentGroup"), ("Countries", QKG + "Country"),
    ("Places", QKG + "Place"), ("Strategies and initiatives", None), ("Code lists", SKOS + "Concept"),
)


def index_main(data: SiteData, links: Links, downloads: list[tuple[str, str]]) -> str:
    from qkg.describe import DESCRIPTION

    entities = data.entities()
    shown: set[str] = set()
    sections = []
    for title, cls in GROUPS:
        if cls is None:
            members = [e for e in entities if data.is_a(e, QKG + "Strategy") or data.is_a(e, QKG + "Initiative")]
        else:
            members = [e for e in data.instances(cls) if e in set(entities)]
        members = [m for m in members if m not in shown or cls == QKG + "Country"]
        shown.update(members)
        if title == "Events":
            members.sort(key=lambda e: (data.first_date(e) == "", data.first_date(e), data.label(e)))
            items = "".join(f"<li><time>{esc(data.first_date(e))}</time> {link(data, links, e)}</li>" for e in members)
            body = f'<ul class="events">{items}</ul>' if items else ""
        else:
            body = term_list(data, links, members)
        sections.append(section(f"{title} ({len(members)})", body, title.lower().replace(" ", "-")))
    rest = [e for e in entities if e not in shown]
    sections.append(section(f"Everything else ({len(rest)})", term_list(data, links, rest), "other"))
    graphs = "".join(f"<li>{link(data, links, g, graph_label(g))} <span class=\"count\">{data.graph_sizes[g]}</span></li>"
                     for g in data.graphs())
    sections.append(section("Named graphs", f'<ul class="graphs">{graphs}</ul>', "graphs"))
    total = sum(n for g, n in data.graph_sizes.items() if g != INFERRED_GRAPH)
    stats = (f"{total} asserted and {data.graph_sizes.get(INFERRED_GRAPH, 0)} inferred triples, "
             f"{len(entities)} entities, {len(data.texts)} source documents.")
    return template("index.html").substitute(
        description=esc(DESCRIPTION), stats=esc(stats),
        downloads=" · ".join(f'<a href="{esc(links.to(path))}">{esc(name)}</a>' for name, path in downloads),
        void=esc(links.to("dataset/index.html")), ontology=esc(links.to("ontology/index.html")),
        sections="\n".join(s for s in sections if s))


def graph_main(data: SiteData, links: Links, graph: str) -> str:
    name = graph_label(graph)
    doc = next((d for d, t in data.texts.items() if t.source_id == name), None)
    about = f"<p>The assertions of {link(data, links, doc)}.</p>" if doc else ""
    subjects = sorted({s.value for s, facts in data.out.items() if isinstance(s, data.ox.NamedNode)
                       for _, _, g in facts if g == graph})
    body = (f'{about}<p class="count">{data.graph_sizes.get(graph, 0)} triples about {len(subjects)} named subjects.'
            f' Data: <a href="{esc(links.sibling("index.trig"))}">TriG</a></p>')
    return (f'<article class="graph" data-iri="{esc(graph)}"><p class="kind">Named graph</p>'
            f'<h1 id="label">{esc(name)}</h1><p class="iri"><code>{esc(graph)}</code></p>{body}'
            + section("Subjects", term_list(data, links, subjects), "subjects") + "</article>")


def dataset_main(links: Links, turtle: str, downloads: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{esc(links.to(path))}">{esc(name)}</a></li>' for name, path in downloads)
    return (f'<article class="dataset" data-iri="{esc(DATASET)}"><p class="kind">Dataset description (VoID, DCAT)</p>'
            f'<h1 id="label">The qkg dataset</h1><p class="iri"><code>{esc(DATASET)}</code> · '
            f'<a href="{esc(links.sibling("index.ttl"))}">Turtle</a></p>'
            + section("Downloads", f"<ul>{items}</ul>", "downloads")
            + section("Description", f'<pre class="turtle">{esc(turtle)}</pre>', "description") + "</article>")
