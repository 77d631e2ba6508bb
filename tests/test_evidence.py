"""qkg.evidence: quotes, positions, required evidence, digests and file triples."""
from __future__ import annotations

import hashlib

import pytest

from qkg.evidence import marked
from qkg.validate import validate_project

HEAD = """@prefix qkg: <https://w3id.org/qkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix qdoc: <https://w3id.org/qkg/id/doc/> .
@prefix qevent: <https://w3id.org/qkg/id/event/> .
@prefix qpart: <https://w3id.org/qkg/id/participation/> .
@prefix qorg: <https://w3id.org/qkg/id/org/> .
qevent:m a qkg:Meeting ; rdfs:label "M"@en ; qkg:startDate "2024-03-01"^^xsd:date .
"""
TEXT = "On 1 March 2024 the agency held a “meeting”.\nIt was the first.\n"


def annotation(exact: str, supports: str = "rdf:type , rdfs:label , qkg:startDate", extra: str = "") -> str:
    return (f'[] a oa:Annotation ; oa:hasBody qevent:m ; qkg:supports {supports} ;\n'
            f'   oa:hasTarget [ oa:hasSource qdoc:doc ;\n'
            f'     oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{exact}" {extra}] ] .\n')


#: case → (Turtle after HEAD, expected (code, line) findings)
CASES = {
    "quote-found": (annotation("the agency held a “meeting”"), []),
    "quote-not-found": (annotation("the agency hosted a meeting"), [("QKG-QUOTE-NOT-FOUND", 13)]),
    "quote-with-straight-quotes": (annotation('the agency held a \\"meeting\\"'), [("QKG-QUOTE-NOT-FOUND", 13)]),
    "quote-across-a-line-break": (annotation("a “meeting”. It was"), [("QKG-QUOTE-NOT-FOUND", 13)]),
    "prefix-and-suffix-fit": (annotation("held", extra='; oa:prefix "agency " ; oa:suffix " a" '), []),
    "prefix-does-not-fit": (annotation("held", extra='; oa:prefix "office " '), [("QKG-QUOTE-CONTEXT", 13)]),
    "position-fits": (annotation("March 2024").replace(" ] ] .", " ] , [ a oa:TextPositionSelector ; oa:start 5 ; oa:end 15 ] ] ."), []),
    "position-off-by-one": (annotation("March 2024").replace(" ] ] .", " ] , [ a oa:TextPositionSelector ; oa:start 6 ; oa:end 16 ] ] ."),
                            [("QKG-POSITION-MISMATCH", 13)]),
    "statement-not-supported": (annotation("On 1 March 2024", supports="rdf:type , rdfs:label"),
                                [("QKG-STATEMENT-EVIDENCE-MISSING", 10)]),
    "supports-omitted-covers-the-node-only": (annotation("On 1 March 2024", supports="rdf:type").replace(
        "qkg:supports rdf:type ;", ""), [("QKG-STATEMENT-EVIDENCE-MISSING", 10)]),
    "node-without-evidence": ("", [("QKG-EVIDENCE-MISSING", 10)]),
    "participation-without-evidence": (annotation("On 1 March 2024") + "qpart:p a qkg:Participation ; qkg:agent qorg:a .\n",
                                       [("QKG-EVIDENCE-MISSING", 14)]),
    "unknown-source": (annotation("held").replace("qdoc:doc", "qdoc:elsewhere"), [("QKG-UNKNOWN-SOURCE", 13)]),
    "target-without-source": (annotation("held").replace("oa:hasSource qdoc:doc ;", ""),
                              [("QKG-EVIDENCE-NO-SOURCE", 12)]),
    "position-not-a-number": (annotation("March 2024").replace(" ] ] .", ' ] , [ oa:start "five" ; oa:end 15 ] ] .'),
                              [("QKG-POSITION-MISMATCH", 13)]),
    "language-tagged-quote": (annotation("held").replace('"held"', '"held"@en'), []),
    # each part is in the text, the whole is not: quotes are joined with U+001F in a query
    "quote-holding-a-unit-separator": (annotation("held\\u001Fthe"), [("QKG-QUOTE-NOT-FOUND", 13)]),
    "supports-split-over-two-annotations": (annotation("held", supports="rdf:type , rdfs:label")
                                            + annotation("1 March", supports="qkg:startDate"), []),
    "one-finding-per-node-and-property": (annotation("held", supports="rdf:type , rdfs:label")
                                          + 'qevent:m qkg:startDate "2024-03-02"^^xsd:date .\n',
                                          [("QKG-STATEMENT-EVIDENCE-MISSING", 10)]),
    "one-finding-per-bare-node": (annotation("held") + 'qevent:n a qkg:Meeting , qkg:Event ; qkg:startDate '
                                  '"2024-03-01"^^xsd:date ; qkg:endDate "2024-03-01"^^xsd:date .\n',
                                  [("QKG-EVIDENCE-MISSING", 14)]),
    "annotated-blank-node-statement": (annotation("held")
                                       + annotation("held", supports="rdf:type").replace("qevent:m", "_:n")
                                       + '_:n a qkg:Meeting ; qkg:startDate "2024-03-01"^^xsd:date .\n',
                                       [("QKG-STATEMENT-EVIDENCE-MISSING", 14)]),
    "nested-blank-node-covered-by-owner": (annotation("held", supports="rdf:type , rdfs:label , qkg:startDate , "
                                                      "qkg:location")
                                           + 'qevent:m qkg:location [ qkg:containedInPlace qorg:a ] .\n', []),
    "annotation-statements-not-checked": (annotation("held").replace(
        "[] a oa:Annotation ;", '[] a oa:Annotation ; qkg:startDate "2024" ;'), []),
}


def _run(project, body: str, text: str | None = TEXT, meta_sha: str | None = None, whole: bool = False):
    data = project.data_dir / "doc.ttl"
    data.write_text(HEAD + body, encoding="utf-8")
    if text is not None:
        (project.sources_dir / "doc.txt").write_text(text, encoding="utf-8")
    if meta_sha is not None:
        (project.sources_dir / "doc.meta.ttl").write_text(
            '@prefix qkg: <https://w3id.org/qkg/ontology#> .\n@prefix qdoc: <https://w3id.org/qkg/id/doc/> .\n'
            f'qdoc:doc a qkg:SourceDocument ; qkg:sourceId "doc" ; qkg:textFile "sources/doc.txt" ;\n'
            f'    qkg:sha256 "{meta_sha}" .\n', encoding="utf-8")
    report = validate_project(project, files=None if whole else [data], stages=("syntax", "evidence"))
    return [(f.code, f.line) for f in report.findings
            if f.code != "QKG-MISSING-METADATA" and (not whole or f.file == "data/doc.ttl")]


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_evidence_case(project_copy, case):
    body, expected = CASES[case]
    assert _run(project_copy, body) == expected


DIGESTS = {
    "matching": (hashlib.sha256(TEXT.encode()).hexdigest(), []),
    "changed-text": (hashlib.sha256(b"another text").hexdigest(), [("QKG-SHA256-MISMATCH", 4)]),
}


@pytest.mark.parametrize("case", sorted(DIGESTS), ids=sorted(DIGESTS))
def test_text_digest(project_copy, case):
    sha, expected = DIGESTS[case]
    assert _run(project_copy, annotation("held"), meta_sha=sha) == expected


def test_missing_text_is_said_clearly(project_copy):
    data = project_copy.data_dir / "doc.ttl"
    data.write_text(HEAD + annotation("held"), encoding="utf-8")
    report = validate_project(project_copy, files=[data], stages=("syntax", "evidence"))
    assert [(f.code, f.severity, f.message) for f in report.findings] == [
        ("QKG-MISSING-METADATA", "warning", "no metadata file data/sources/doc.meta.ttl yet; validated as its own "
                                            "graph; run 'qkg new-source' before committing"),
        ("QKG-MISSING-TEXT", "violation", "source text data/sources/doc.txt not found, so quotes cannot be checked; "
                                          "add the text file"),
    ]


def test_marked_includes_subclasses(project):
    from qkg.graph import load_inputs
    from qkg.namespaces import ONTOLOGY_GRAPH, QKG, RDFS

    ontology = load_inputs(project, files=[(ONTOLOGY_GRAPH, project.ontology_dir / "qkg.ttl")]).graphs[ONTOLOGY_GRAPH]
    classes = marked(ontology, "requiresEvidence", RDFS + "subClassOf")
    assert {QKG + "Event", QKG + "Meeting", QKG + "HighLevelMeeting", QKG + "Commitment"} <= classes
    assert QKG + "Organization" not in classes


def test_files_come_in_threes(project_copy):
    """Project-wide: a data file without metadata, metadata without data, a stray text."""
    sources = project_copy.sources_dir
    (project_copy.data_dir / "stray.ttl").write_text("<https://w3id.org/qkg/id/org/x> a <https://w3id.org/qkg/ontology#Organization> .\n")
    (sources / "ghost.meta.ttl").write_text(
        '@prefix qkg: <https://w3id.org/qkg/ontology#> .\n'
        '<https://w3id.org/qkg/id/doc/ghost> a qkg:SourceDocument ; qkg:textFile "sources/ghost.txt" .\n')
    (sources / "ghost.txt").write_text("A ghost.\n")
    (sources / "lonely.txt").write_text("No metadata.\n")
    report = validate_project(project_copy, stages=("syntax", "evidence"))
    assert sorted((f.code, f.file) for f in report.findings) == [
        ("QKG-MISSING-DATA", "data/sources/ghost.meta.ttl"),
        ("QKG-MISSING-METADATA", "data/stray.ttl"),
        ("QKG-ORPHAN-TEXT", "data/sources/lonely.txt"),
    ]


@pytest.mark.parametrize("whole", [False, True], ids=["files", "whole-project"])
def test_same_findings_from_files_and_build_store(project_copy, whole):
    """Some files are checked on a store of the parsed files, the whole project on the build's store."""
    body = (annotation("the agency hosted") + annotation("held", supports="rdf:type").replace("qevent:m", "_:n")
            + '_:n a qkg:Meeting ; qkg:startDate "2024-03-01"^^xsd:date .\n' + "qevent:n a qkg:Meeting .\n")
    found = _run(project_copy, body, meta_sha=hashlib.sha256(TEXT.encode()).hexdigest(), whole=whole)
    assert found == [("QKG-QUOTE-NOT-FOUND", 13), ("QKG-EVIDENCE-MISSING", 18), ("QKG-STATEMENT-EVIDENCE-MISSING", 14)]
