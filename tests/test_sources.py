"""qkg.sources and ``qkg new-source``: adding a document is routine."""
from __future__ import annotations

import hashlib

import pytest
import rdflib

from qkg.errors import InputError, UsageError
from qkg.sources import new_source


@pytest.fixture
def text(tmp_path):
    p = tmp_path / "incoming.txt"
    p.write_text("The 3rd Quantum Committee met on 1 March 2026.\n", encoding="utf-8")
    return p


def test_new_source_writes_three_files_that_parse(project_copy, text):
    paths = new_source(project_copy, text, "2026-03-01-test-committee", 'A "quoted" title',
                       issued="2026-03-01", publishers=["qorg:cabinet-office"])
    assert [p.name for p in paths] == ["2026-03-01-test-committee.txt", "2026-03-01-test-committee.meta.ttl",
                                       "2026-03-01-test-committee.ttl"]
    meta = rdflib.Graph().parse(paths[1])
    sha = next(meta.objects(None, rdflib.URIRef("https://w3id.org/qkg/ontology#sha256")))
    assert str(sha) == hashlib.sha256(text.read_bytes()).hexdigest()
    assert len(rdflib.Graph().parse(paths[2])) == 2
    assert "2026-03-01-test-committee" in [s.source_id for s in project_copy.sources()]


@pytest.mark.parametrize("kwargs,error,where", [
    ({"source_id": "Bad Id"}, UsageError, "--id"),
    ({"issued": "March 2026"}, UsageError, "--issued"),
    ({"publishers": ["zz:nope"]}, UsageError, "--publisher"),
    ({"publishers": ["http://x> ."]}, UsageError, "--publisher"),
    ({"source_id": "2023-05-14-tohoku-qstar-high-level-meeting"}, InputError, "data/sources/"),
], ids=["bad-id", "bad-date", "unknown-prefix", "hostile-iri", "existing-id"])
def test_new_source_refuses(project_copy, text, kwargs, error, where):
    args = {"source_id": "2026-03-01-x", "issued": None, "publishers": []} | kwargs
    with pytest.raises(error) as info:
        new_source(project_copy, text, args["source_id"], "T", issued=args["issued"], publishers=args["publishers"])
    assert str(info.value).startswith(where)
