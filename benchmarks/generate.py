"""Deterministic generator of a synthetic qkg project at 10k to 10M triples.

    python benchmarks/generate.py --size 1M --out /tmp/qkg-1M [--seed 7]

writes a complete project directory: ``ontology/`` (copied, with shapes and rules),
``queries/`` (copied), ``data/reference.ttl`` and, per source document,
``data/<source-id>.ttl`` (its named graph), ``data/sources/<source-id>.txt`` (its text)
and ``data/sources/<source-id>.meta.ttl`` (title, publisher, date, SHA-256). Documents
follow docs/modeling.md: events with exact and partial dates, participations with roles,
post holdings, observations, outcomes and commitments, agenda items, topics, and an
evidence annotation for every fact whose ``oa:exact`` is a verbatim line fragment of
the document's text. Output is streamed, so 10M triples need little memory.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compose import Composer  # noqa: E402
from world import build_world  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
#: Average asserted triples per generated document (data graph and metadata).
AVERAGE_DOCUMENT = 700

PREFIXES = """@prefix qkg: <https://w3id.org/qkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix qdoc: <https://w3id.org/qkg/id/doc/> .
@prefix qorg: <https://w3id.org/qkg/id/org/> .
@prefix qperson: <https://w3id.org/qkg/id/person/> .
@prefix qcountry: <https://w3id.org/qkg/id/country/> .
@prefix qplace: <https://w3id.org/qkg/id/place/> .
@prefix qevent: <https://w3id.org/qkg/id/event/> .
@prefix qseries: <https://w3id.org/qkg/id/event-series/> .
@prefix qpost: <https://w3id.org/qkg/id/post/> .
@prefix qholding: <https://w3id.org/qkg/id/post-holding/> .
@prefix qpart: <https://w3id.org/qkg/id/participation/> .
@prefix qobs: <https://w3id.org/qkg/id/observation/> .
@prefix qoutcome: <https://w3id.org/qkg/id/outcome/> .
@prefix qagenda: <https://w3id.org/qkg/id/agenda-item/> .
@prefix qrole: <https://w3id.org/qkg/id/role/> .
@prefix qtopic: <https://w3id.org/qkg/id/topic/> .
@prefix qmeasure: <https://w3id.org/qkg/id/measure/> .
@prefix qstatus: <https://w3id.org/qkg/id/event-status/> .
"""


@dataclass
class Summary:
    """What a generator run wrote."""

    root: Path
    documents: int
    triples: int
    seconds: float


def parse_size(text: str) -> int:
    """``10k``/``1M``/``10M`` or a plain number of triples."""
    if text in SIZES:
        return SIZES[text]
    mult = {"k": 1_000, "K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def _count_triples(paths: list[Path]) -> int:
    import pyoxigraph as ox

    return sum(sum(1 for _ in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)) for p in paths)


def copy_project_files(out: Path, source: Path = ROOT) -> None:
    """Copy the ontology (with shapes and rules) and the stored queries into ``out``."""
    for name in ("ontology", "queries"):
        if (out / name).exists():
            shutil.rmtree(out / name)
        if (source / name).exists():
            shutil.copytree(source / name, out / name)


def write_reference(out: Path, world, mentioned: set[str]) -> int:
    """ISO codes of the countries some document mentions (and types and labels)."""
    lines = [PREFIXES, "# Reference graph of the synthetic corpus: ISO 3166-1 alpha-2 codes.\n"]
    for c in world.countries:
        if c.slug in mentioned:
            lines.append(f'{c.ref} qkg:countryCode "{world.codes[c.slug]}" .\n')
    (out / "data" / "reference.ttl").write_text("".join(lines), encoding="utf-8")
    return len(lines) - 2


def write_meta(out: Path, doc) -> int:
    text_bytes = doc.text.encode("utf-8")
    sha = hashlib.sha256(text_bytes).hexdigest()
    publishers = " , ".join(p.ref for p in doc.publishers)
    meta = f"""{PREFIXES}
# Corpus metadata of one synthetic source document (loaded into graph/sources).
qdoc:{doc.sid} a qkg:SourceDocument ;
    qkg:sourceId "{doc.sid}" ;
    rdfs:label {doc.lit(doc.label)} ;
    dcterms:title {doc.lit(doc.title)} ;
    dcterms:publisher {publishers} ;
    dcterms:issued "{doc.issued.isoformat()}"^^xsd:date ;
    dcterms:language "en" ;
    dcterms:format "text/plain" ;
    qkg:textFile "sources/{doc.sid}.txt" ;
    qkg:originalFileName "synthetic_{sha[:16]}.txt" ;
    qkg:sha256 "{sha}" ;
    qkg:namedGraph <https://w3id.org/qkg/graph/{doc.sid}> .
"""
    (out / "data" / "sources" / f"{doc.sid}.meta.ttl").write_text(meta, encoding="utf-8")
    (out / "data" / "sources" / f"{doc.sid}.txt").write_bytes(text_bytes)
    return 11 + len(doc.publishers)


def generate(out: Path | str, triples: int, seed: int = 7, source: Path = ROOT, log=None) -> Summary:
    """Write a synthetic project of about ``triples`` asserted triples into ``out``.

    :param triples: target size, counting every graph (ontology, reference, metadata, data).
    :param seed: the same seed and size always give the same bytes.
    """
    started = time.perf_counter()
    out = Path(out)
    if (out / "data").exists():
        shutil.rmtree(out / "data")
    (out / "data" / "sources").mkdir(parents=True)
    copy_project_files(out, source)
    rng = random.Random(seed)
    documents_estimate = max(3, triples // AVERAGE_DOCUMENT)
    world = build_world(rng, documents_estimate)
    composer = Composer(rng, world, PREFIXES)
    total = _count_triples(sorted((out / "ontology").glob("*.ttl"))) + len(world.countries)
    n = 0
    day = dt.date(2016, 1, 4)
    span = (dt.date(2026, 6, 30) - day).days
    while total < triples:
        issued = day + dt.timedelta(days=(n * 7919) % span)
        doc = composer.document(n, issued)
        (out / "data" / f"{doc.sid}.ttl").write_text(doc.turtle(), encoding="utf-8")
        total += doc.triples + write_meta(out, doc)
        n += 1
        if log and n % 1000 == 0:
            log(f"{n} documents, {total} triples")
    total += write_reference(out, world, composer.countries) - len(world.countries)
    return Summary(out, n, total, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic qkg project directory.")
    parser.add_argument("--size", default="10k", help="target triples: 10k, 100k, 1M, 10M or a number")
    parser.add_argument("--out", required=True, help="the project directory to write (data/ is replaced)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    summary = generate(args.out, parse_size(args.size), args.seed,
                       log=lambda m: print(f"generate: {m}", file=sys.stderr))
    print(f"wrote {summary.documents} documents, {summary.triples} triples to {summary.root} "
          f"in {summary.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
