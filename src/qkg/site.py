"""``qkg site``: a static HTML site of the graph, browsable offline and hostable at
the base IRI so that every IRI resolves (paths: :mod:`qkg.site_paths`).

The site holds a page per entity (facts with links, evidence quotes linked to their
place in the source text, an agent's timeline), per source document (its text with
the quoted passages marked), per named graph, per ontology class and property, an
index with a client-side search box (a JSON index and a small script, no network),
and the data itself: each entity's Turtle and JSON-LD beside its page, the dumps in
every format, CSV tables and the VoID/DCAT description.

:func:`render_entity` and :func:`render_index` give single pages to a server, and
:func:`asset` the stylesheet, script and search index those pages load.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from qkg.errors import UsageError
from qkg.namespaces import INFERRED_GRAPH, ONTOLOGY
from qkg.site_paths import DATASET, INDEX, Links, page_path

#: A file in every site qkg writes; qkg only ever empties a directory that has it.
MARKER = ".qkg-site"
DUMP_DIR = "dump"
_SNAPSHOTS: dict = {}


@dataclass
class SiteResult:
    out: Path
    pages: int = 0
    files: int = 0
    entities: list[str] = field(default_factory=list)


def snapshot(backend, project=None):
    """The (cached) :class:`qkg.site_data.SiteData` of ``backend``'s store."""
    from qkg.site_data import load

    if project is None:
        project = _default_project()
    path = getattr(backend, "path", None)
    # a built store's path names its content (a content hash); in-memory stores have none
    key = (str(path) if path else f"memory-{id(backend)}", str(getattr(project, "root", "")))
    if key not in _SNAPSHOTS:
        if len(_SNAPSHOTS) > 2:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[key] = load(backend, project)
    return _SNAPSHOTS[key]


def _default_project():
    from qkg.errors import QkgError
    from qkg.paths import Project

    try:
        return Project.find()
    except QkgError:
        return None


def _links(data, path: str, base: str | None) -> Links:
    return Links(path, base, frozenset(data.ontology_terms("class")), frozenset(data.ontology_terms("property")))


def render_entity(backend, iri: str, base: str = "/", project=None) -> str | None:
    """The HTML page of one IRI (entity, named graph, ontology term), links prefixed
    with ``base``; ``None`` when the IRI has no page."""
    data = snapshot(backend, project)
    path = _page_of(data, iri)
    if path is None:
        return None
    return _render(data, iri, _links(data, path, base), backend)


def render_index(backend, base: str | None = "/", project=None) -> str:
    """The HTML of the site's index page, links prefixed with ``base`` (``None``:
    relative links, as in the static site)."""
    from qkg.site_pages import index_main, page

    data = snapshot(backend, project)
    links = _links(data, INDEX, base)
    return page("Index", index_main(data, links, downloads()), links)


def asset(backend, path: str, project=None) -> tuple[bytes, str] | None:
    """``(bytes, media type)`` of a non-page file the pages load — ``static/site/*``
    and ``search-index.js`` — for a server that renders pages with
    :func:`render_entity`; ``None`` for any other path."""
    from importlib import resources

    path = path.lstrip("/")
    if path == "search-index.js":
        entries = json.dumps(search_entries(snapshot(backend, project)), ensure_ascii=False, separators=(",", ":"))
        return ("window.QKG_SEARCH = " + entries + ";\n").encode("utf-8"), "text/javascript; charset=utf-8"
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
    folder, _, name = path.rpartition("/")
    if folder == "static/site" and name and "/" not in name:
        item = resources.files("qkg").joinpath("static/site").joinpath(name)
        if item.is_file():
            return item.read_bytes(), types.get(Path(name).suffix, "application/octet-stream")
    return None


def _page_of(data, iri: str) -> str | None:
    classes, props = set(data.ontology_terms("class")), set(data.ontology_terms("property"))
    if iri in data.entities() or iri in data.graphs() or iri in classes or iri in props or iri in (ONTOLOGY, DATASET):
        path = page_path(iri, classes, props)
        return path.partition("#")[0] if path else None
    return None


def _render(data, iri: str, links: Links, backend=None, endpoint_url: str | None = None) -> str:
    from qkg import site_ontology as so
    from qkg import site_pages as sp

    if iri in data.graphs():
        return sp.page(f"Graph {iri.rsplit('/', 1)[-1]}", sp.graph_main(data, links, iri), links)
    if iri == ONTOLOGY:
        classes, props = data.ontology_terms("class"), data.ontology_terms("property")
        return sp.page("Ontology", so.ontology_main(data, links, classes, props, iri), links)
    if iri == DATASET:
        from qkg.describe import describe

        turtle = describe(backend, endpoint_url=endpoint_url)
        return sp.page("Dataset", sp.dataset_main(links, turtle, downloads()), links)
    if iri in links.classes:
        return sp.page(data.label(iri), so.class_main(data, links, iri), links)
    if iri in links.properties:
        return sp.page(data.label(iri), so.property_main(data, links, iri), links)
    return sp.page(data.label(iri), sp.entity_main(data, links, iri), links)


def downloads() -> list[tuple[str, str]]:
    """``(name, site path)`` of every dump the site publishes."""
    from qkg.export import DUMP_FORMATS, FORMATS
    from qkg.tables import TABLE_NAMES

    names = {"trig": "TriG", "nq": "N-Quads", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD",
             "rdfxml": "RDF/XML"}
    out = [(names[f], f"{DUMP_DIR}/qkg{FORMATS[f].extension}") for f in DUMP_FORMATS]
    out += [(f"{t}.csv", f"{DUMP_DIR}/csv/{t}.csv") for t in TABLE_NAMES]
    return out


def search_entries(data) -> list[dict]:
    """The search index: label, other names, kind, site path and IRI of each page."""
    from qkg.namespaces import SKOS
    from qkg.site_data import LABELS

    entries = []
    for iri in data.entities():
        names = sorted({o.value for p, o, _ in data.facts(iri)
                        if p in LABELS + (SKOS + "altLabel",) and isinstance(o, data.ox.Literal)} - {data.label(iri)})
        types = data.types(iri)
        entries.append({"l": data.label(iri), "a": names, "t": data.label(types[0]) if types else "",
                        "u": page_path(iri), "i": iri})
    classes, props = set(data.ontology_terms("class")), set(data.ontology_terms("property"))
    for iri in sorted(classes | props):
        kind = "class" if iri in classes else "property"
        entries.append({"l": data.label(iri), "a": ["qkg:" + iri.rsplit("#", 1)[-1]], "t": kind,
                        "u": page_path(iri, classes, props), "i": iri})
    return entries


def description_quads(data, iri: str) -> list:
    """The asserted quads that describe ``iri``: its own statements, the evidence about
    it, and what the ``entity`` frame nests (participations, outcomes, agenda items)."""
    from qkg.jsonld import NESTED

    ox = data.ox
    out, seen = [], set()

    def add_node(node, depth=0):
        if node in seen:
            return
        seen.add(node)
        for p, o, g in data.out.get(node, []):
            if g == INFERRED_GRAPH:
                continue
            out.append(ox.Quad(node, ox.NamedNode(p), o))
            if isinstance(o, ox.BlankNode):
                add_node(o, depth)
            elif depth == 0 and p in NESTED:
                add_node(o, depth + 1)
        if isinstance(node, ox.NamedNode):
            for ev in data.evidence_of.get(node.value, []):
                add_node(ev.node, depth)

    add_node(ox.NamedNode(iri))
    return out


def _write(path: Path, text: str | bytes) -> None:
    """Write unless the file already holds these bytes: a rebuild then touches only
    what changed, which is faster and lets a sync upload only those files."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _prepare(out: Path) -> None:
    """Check that ``out`` may be written: new, empty, or a site qkg wrote before."""
    if out.exists() and not out.is_dir():
        raise UsageError("exists and is not a directory", str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError("directory is not empty and holds no qkg site; choose an empty or new directory",
                         str(out))
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by qkg site; files qkg did not write on its last run are removed\n")


def _remove_stale(out: Path, keep: set[Path]) -> None:
    """Delete what an earlier run wrote and this one did not (cheaper than emptying
    the directory first on slow file systems)."""
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_file() and path not in keep and path.name != MARKER:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def build_site(backend, out: Path | str, project=None, endpoint_url: str | None = None, log=None) -> SiteResult:
    """Write the whole site into ``out``: a new or empty directory, or one qkg wrote
    before (files of that earlier run that this one does not write are removed).

    :raises UsageError: ``out`` is a file, or a non-empty directory qkg did not write.
    """
    from importlib import resources

    from qkg import export, jsonld, tables
    from qkg.describe import describe
    from qkg.export_turtle import write_turtle

    out = Path(out)
    _prepare(out)
    written: set[Path] = {out / MARKER}

    def write(path: Path, text: str | bytes) -> None:
        _write(path, text)
        written.add(path)

    data = snapshot(backend, project)
    result = SiteResult(out)
    classes, props = set(data.ontology_terms("class")), set(data.ontology_terms("property"))

    def emit(iri: str, path: str) -> None:
        write(out / path, _render(data, iri, _links(data, path, None), backend, endpoint_url))
        result.pages += 1

    for iri in data.entities():
        path = page_path(iri)
        emit(iri, path)
        quads = export.canonical(description_quads(data, iri), merge=True)
        folder = out / path.rsplit("/", 1)[0]
        write(folder / "index.ttl", write_turtle((q.subject, q.predicate, q.object) for q in quads))
        write(folder / "index.jsonld", jsonld.dumps(jsonld.single(jsonld.from_quads(quads, frame="entity"))))
        result.entities.append(iri)
    for graph in data.graphs():
        path = page_path(graph)
        emit(graph, path)
        graph_quads = [q for q in backend.store.quads_for_pattern(None, None, None, data.node(graph))]
        write(out / path.rsplit("/", 1)[0] / "index.trig", export.serialize(graph_quads, "trig"))
    for iri in sorted(classes | props):
        emit(iri, page_path(iri, classes, props))
    emit(ONTOLOGY, "ontology/" + INDEX)
    write(out / "ontology/index.ttl", export.serialize(export.select(backend, graph="ontology"), "ttl"))
    emit(DATASET, "dataset/" + INDEX)
    write(out / "dataset/index.ttl", describe(backend, endpoint_url=endpoint_url))
    write(out / INDEX, render_index(backend, base=None, project=project))
    result.pages += 1
    written.update(export.write_dumps(backend, out / DUMP_DIR).values())
    written.update(tables.write_tables(backend, out / DUMP_DIR / "csv"))
    entries = json.dumps(search_entries(data), ensure_ascii=False, separators=(",", ":"))
    write(out / "search-index.json", entries + "\n")
    write(out / "search-index.js", "window.QKG_SEARCH = " + entries + ";\n")
    static = resources.files("qkg").joinpath("static/site")
    for item in static.iterdir():
        if item.is_file():
            write(out / "static/site" / item.name, item.read_bytes())
    _remove_stale(out, written)
    result.files = len(written)
    if log:
        log(f"wrote {result.pages} pages ({len(result.entities)} entities), {result.files} files to {out}")
    return result
