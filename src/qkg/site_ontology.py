"""The ontology's documentation pages: the ontology index with its class tree and
property table, and one page per class and per property (definition, hierarchy,
domain and range, how many instances or statements use it)."""
from __future__ import annotations

from qkg.namespaces import INFERRED_GRAPH, OWL, QKG, RDFS
from qkg.site_data import SiteData
from qkg.site_pages import definition, first_value, esc, link, section, template, term_list
from qkg.site_paths import Links

_KINDS = {OWL + "ObjectProperty": "Object property", OWL + "DatatypeProperty": "Datatype property",
          OWL + "AnnotationProperty": "Annotation property", OWL + "TransitiveProperty": "transitive",
          OWL + "SymmetricProperty": "symmetric", OWL + "FunctionalProperty": "functional"}


def class_main(data: SiteData, links: Links, iri: str) -> str:
    supers = [o.value for o in data.values(iri, RDFS + "subClassOf", asserted=True) if isinstance(o, data.ox.NamedNode)]
    subs = [s.value for s, p, g in data.inc.get(iri, ()) if p == RDFS + "subClassOf" and g != INFERRED_GRAPH]
    instances = data.instances(iri)
    direct = [i for i in instances if iri in data.types(i)]
    domain_of = [s.value for s, p, _ in data.inc.get(iri, ()) if p == RDFS + "domain"]
    range_of = [s.value for s, p, _ in data.inc.get(iri, ()) if p == RDFS + "range"]
    count = f"<p class=\"count\">{len(instances)} instances ({len(direct)} typed directly, the rest through a subclass).</p>"
    sections = [
        section("Superclasses", term_list(data, links, supers), "superclasses"),
        section("Subclasses", term_list(data, links, subs), "subclasses"),
        section("Properties with this domain", term_list(data, links, domain_of), "domain-of"),
        section("Properties with this range", term_list(data, links, range_of), "range-of"),
        section("Instances", count + term_list(data, links, instances), "instances"),
    ]
    return template("term.html").substitute(
        iri=esc(iri), kind="Class", label=esc(data.label(iri)), definition=esc(definition(data, iri)),
        ontology=esc(links.to("ontology/index.html")), sections="\n".join(s for s in sections if s))


def property_main(data: SiteData, links: Links, iri: str) -> str:
    def objs(prop):
        return [o.value for o in data.values(iri, prop, asserted=True) if isinstance(o, data.ox.NamedNode)]

    subs = [s.value for s, p, g in data.inc.get(iri, ()) if p == RDFS + "subPropertyOf" and g != INFERRED_GRAPH]
    asserted, inferred = data.usage(iri)
    kinds = [_KINDS.get(t, data.label(t)) for t in data.types(iri) if t.startswith(OWL)]
    flags = [name for name, prop in (("requires evidence", QKG + "requiresEvidence"), ("derived at build time", QKG + "derived"))
             if any(o.value == "true" for o in data.values(iri, prop))]
    usage = (f'<p class="count">Used in {asserted} asserted and {inferred} inferred statements.'
             + (f' Flags: {esc(", ".join(flags))}.' if flags else "") + "</p>")
    examples = sorted({(s.value, o.value if isinstance(o, data.ox.NamedNode) else None, str(o.value))
                       for s, facts in data.out.items() if isinstance(s, data.ox.NamedNode)
                       for p, o, _ in facts if p == iri})[:20]
    example_items = "".join(
        f"<li>{link(data, links, s)} → {link(data, links, o) if o else '<span class=literal>' + esc(text) + '</span>'}</li>"
        for s, o, text in examples)
    sections = [
        section("Usage", usage, "usage"),
        section("Domain", term_list(data, links, objs(RDFS + "domain")), "domain"),
        section("Range", term_list(data, links, objs(RDFS + "range")), "range"),
        section("Super-properties", term_list(data, links, objs(RDFS + "subPropertyOf")), "superproperties"),
        section("Sub-properties", term_list(data, links, subs), "subproperties"),
        section("Inverse", term_list(data, links, objs(OWL + "inverseOf")), "inverse"),
        section("Examples", f'<ul class="examples">{example_items}</ul>' if example_items else "", "examples"),
    ]
    return template("term.html").substitute(
        iri=esc(iri), kind=esc(" / ".join(kinds) or "Property"), label=esc(data.label(iri)),
        definition=esc(definition(data, iri)), ontology=esc(links.to("ontology/index.html")),
        sections="\n".join(s for s in sections if s))


def class_tree(data: SiteData, links: Links, classes: list[str]) -> str:
    known = set(classes)
    parents = {c: [o.value for o in data.values(c, RDFS + "subClassOf", asserted=True) if o.value in known]
               for c in classes}
    children: dict[str, list[str]] = {}
    for c, ps in parents.items():
        for p in ps:
            children.setdefault(p, []).append(c)

    def branch(c: str, seen: tuple) -> str:
        n = len(data.instances(c))
        kids = sorted(children.get(c, []), key=lambda k: data.label(k).lower())
        inner = "".join(branch(k, seen + (c,)) for k in kids if k not in seen)
        return (f'<li>{link(data, links, c)} <span class="count">{n}</span>'
                + (f"<ul>{inner}</ul>" if inner else "") + "</li>")

    roots = sorted((c for c in classes if not parents[c]), key=lambda c: data.label(c).lower())
    return f'<ul class="tree">{"".join(branch(r, ()) for r in roots)}</ul>'


def property_table(data: SiteData, links: Links, props: list[str]) -> str:
    rows = []
    for p in sorted(props, key=lambda p: data.label(p).lower()):
        asserted, inferred = data.usage(p)
        rows.append(f"<tr><td>{link(data, links, p)}</td><td>{esc(definition(data, p))}</td>"
                    f"<td class=\"num\">{asserted}</td><td class=\"num\">{inferred}</td></tr>")
    return ('<table class="properties"><thead><tr><th>property</th><th>definition</th><th>asserted</th>'
            f'<th>inferred</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def ontology_main(data: SiteData, links: Links, classes: list[str], props: list[str], iri: str) -> str:
    from qkg.namespaces import DCTERMS

    terms = []
    for t in sorted(classes + props, key=lambda t: t.lower()):
        local = t[len(QKG):]
        terms.append(f'<li id="{esc(local)}">{link(data, links, t, "qkg:" + local)} — {esc(definition(data, t))}</li>')
    version = first_value(data, iri, OWL + "versionInfo")
    title = next((o.value for o in data.values(iri, DCTERMS + "title")), data.label(iri))
    description = next((o.value for o in data.values(iri, DCTERMS + "description")), "")
    return template("ontology.html").substitute(
        title=esc(title), iri=esc(iri), version=esc(version), description=esc(description),
        ttl=esc(links.sibling("index.ttl")), n_classes=len(classes), n_properties=len(props),
        class_tree=class_tree(data, links, classes), property_table=property_table(data, links, props),
        term_list=f'<ul class="all-terms">{"".join(terms)}</ul>')
