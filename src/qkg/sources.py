"""The source corpus: adding a document (its text, metadata and a Turtle skeleton)."""
from __future__ import annotations

import datetime
import hashlib
import re
import shutil
from pathlib import Path

from qkg.errors import InputError, UsageError
from qkg.namespaces import PREFIXES, doc_iri, graph_iri
from qkg.paths import META_SUFFIX, Project

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _publisher_iri(value: str) -> str:
    if ":" in value and not value.startswith("http"):
        prefix, local = value.split(":", 1)
        if prefix not in PREFIXES or not _SLUG.match(local):
            raise UsageError(f"unknown prefixed name {value!r}; use e.g. qorg:cabinet-office", "--publisher")
        return PREFIXES[prefix] + local
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", value):
        raise UsageError(f"not an IRI: {value!r}", "--publisher")
    return value


def new_source(project: Project, text: str | Path, source_id: str, title: str, *,
               issued: str | None = None, publishers=(), language: str = "en") -> list[Path]:
    """Copy ``text`` into the corpus and write its metadata and a Turtle skeleton.

    :return: the three paths written.
    :raises UsageError: a malformed id, date or publisher.
    :raises InputError: a missing text, or a source id already in use.
    """
    if not _SLUG.match(source_id):
        raise UsageError("use lowercase kebab-case (letters, digits, hyphens)", "--id")
    if issued:
        try:
            datetime.date.fromisoformat(issued)
        except ValueError:
            raise UsageError(f"not a date (YYYY-MM-DD): {issued!r}", "--issued") from None
    src = Path(text)
    if not src.is_file():
        raise InputError("file not found", str(text))
    data = src.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8; convert the text to UTF-8 first", str(text)) from None
    target_text = project.sources_dir / f"{source_id}.txt"
    meta = project.sources_dir / f"{source_id}{META_SUFFIX}"
    turtle = project.data_dir / f"{source_id}.ttl"
    for p in (target_text, meta, turtle):
        if p.exists():
            raise InputError("already exists: choose another source id or edit the files", project.relative(p))
    pubs = [_publisher_iri(p) for p in publishers]
    project.sources_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, target_text)
    lines = [
        "@prefix qkg:     <https://w3id.org/qkg/ontology#> .",
        "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "",
        "# Corpus metadata of one source document (loaded into graph/sources).",
        f"<{doc_iri(source_id)}> a qkg:SourceDocument ;",
        f'    qkg:sourceId "{source_id}" ;',
        f"    rdfs:label {_turtle_string(title)}@en ;",
        f"    dcterms:title {_turtle_string(title)}@{language} ;",
    ]
    lines += [f"    dcterms:publisher <{p}> ;" for p in pubs]
    if issued:
        lines.append(f'    dcterms:issued "{issued}"^^xsd:date ;')
    lines += [
        f'    dcterms:language "{language}" ;',
        '    dcterms:format "text/plain" ;',
        f'    qkg:textFile "sources/{source_id}.txt" ;',
        f"    qkg:originalFileName {_turtle_string(src.name)} ;",
        f'    qkg:sha256 "{hashlib.sha256(data).hexdigest()}" ;',
        f"    qkg:namedGraph <{graph_iri(source_id)}> .",
        "",
    ]
    meta.write_text("\n".join(lines), encoding="utf-8")
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items() if p != "qgraph")
    turtle.write_text(
        prefixes + "\n# Every assertion of the document, each with evidence (see docs/modeling.md).\n"
        f"<{doc_iri(source_id)}> a qkg:SourceDocument ;\n    rdfs:label {_turtle_string(title)}@en .\n",
        encoding="utf-8",
    )
    return [target_text, meta, turtle]
