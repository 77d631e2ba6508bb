"""qkg.diff: semantic differences of files, directories and git revisions."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from qkg.diff import canonical, diff, render_markdown, render_text

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "diff"
QKG = Path(sys.executable).parent / "qkg"

CHANGES = """old.ttl → new.ttl  (+9 -9)
  qevent:m  (Fixture Meeting)
    - qkg:startDate "2024-03-01"^^xsd:date
    - _:b1 a oa:Annotation
    - _:b1 oa:hasBody qevent:m
    - _:b1 oa:hasTarget _:b2
    - _:b1 qkg:supports qkg:startDate
    - _:b2 oa:hasSelector _:b3
    - _:b2 oa:hasSource qdoc:d
    - _:b3 a oa:TextQuoteSelector
    - _:b3 oa:exact "held on 1 March 2024"
    + qkg:startDate "2024-03-02"^^xsd:date
    + _:b4 a oa:Annotation
    + _:b4 oa:hasBody qevent:m
    + _:b4 oa:hasTarget _:b5
    + _:b4 qkg:supports qkg:startDate
    + _:b5 oa:hasSelector _:b6
    + _:b5 oa:hasSource qdoc:d
    + _:b6 a oa:TextQuoteSelector
    + _:b6 oa:exact "held on 2 March 2024"

1 file changed: +9 -9 triples"""


def test_reformatted_file_is_no_difference():
    assert diff(str(FIX / "old.ttl"), str(FIX / "reformatted.ttl"), ROOT) == []


def test_changes_grouped_by_entity_with_label():
    assert render_text(diff(str(FIX / "old.ttl"), str(FIX / "new.ttl"), ROOT)) == CHANGES


def test_markdown_for_a_pull_request():
    md = render_markdown(diff(str(FIX / "old.ttl"), str(FIX / "new.ttl"), ROOT)).split("\n")
    assert md[:6] == ["**qkg diff**: 1 file changed, +9 −9 triples", "", "### `old.ttl → new.ttl` (+9 −9)", "",
                      "**qevent:m  (Fixture Meeting)**", ""]
    assert (md[6], md[7], md[-1]) == ("```diff", '- qkg:startDate "2024-03-01"^^xsd:date', "```")


def test_directories_pair_files_by_path(tmp_path):
    for side, source in (("a", "old.ttl"), ("b", "new.ttl")):
        (tmp_path / side / "sub").mkdir(parents=True)
        shutil.copy(FIX / source, tmp_path / side / "sub" / "x.ttl")
        shutil.copy(FIX / "old.ttl", tmp_path / side / "same.ttl")
    shutil.copy(FIX / "old.ttl", tmp_path / "b" / "added.ttl")
    found = diff(str(tmp_path / "a"), str(tmp_path / "b"), ROOT)
    assert [(d.name, d.count()) for d in found] == [("added.ttl", (19, 0)), ("sub/x.ttl", (9, 9))]


#: graphs whose blank nodes defeat the fast path: rdflib's canonicalization decides
FALLBACK = {
    "identical-subtrees": "[] <http://e/p> [ <http://e/q> 1 ] , [ <http://e/q> 1 ] .",
    "cycle": "_:a <http://e/p> _:b . _:b <http://e/p> _:a . _:a <http://e/q> 1 .",
}


@pytest.mark.parametrize("case", sorted(FALLBACK), ids=sorted(FALLBACK))
def test_canonical_falls_back_to_rdflib(case):
    one = rdflib.Graph().parse(data=FALLBACK[case], format="turtle")
    two = rdflib.Graph().parse(data=FALLBACK[case], format="turtle")
    assert set(canonical(one)) == set(canonical(two))


def _run(*args, cwd):
    return subprocess.run([str(QKG), "--project", str(cwd), "diff", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.fixture
def repo(tmp_path):
    """A project under git with two commits: the second changes a date and its quote."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "qkg.ttl").write_text("<http://e/o> a <http://www.w3.org/2002/07/owl#Ontology> .\n")
    (tmp_path / "data").mkdir()
    shutil.copy(FIX / "old.ttl", tmp_path / "data" / "doc.ttl")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "one"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, env=env)
    shutil.copy(FIX / "new.ttl", tmp_path / "data" / "doc.ttl")
    for args in (["add", "."], ["commit", "-qm", "two"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, env=env)
    return tmp_path


def test_git_revisions(repo):
    done = _run("HEAD~1", "HEAD", cwd=repo)
    assert (done.returncode, done.stdout.splitlines()[0]) == (1, "data/doc.ttl  (+9 -9)")


def test_same_revision_exit_0(repo):
    done = _run("HEAD", "HEAD", cwd=repo)
    assert (done.returncode, done.stdout) == (0, "no semantic difference\n")


ERRORS = {
    "no-such-revision": (["nope", "HEAD"], "qkg: error: nope: 'nope' is not a file, a directory or a git revision of"),
    "syntax-error": (["bad.ttl", "HEAD"], "qkg: error: bad.ttl:1:"),
}


@pytest.mark.parametrize("case", sorted(ERRORS), ids=sorted(ERRORS))
def test_errors_exit_2_in_one_line(repo, case):
    (repo / "bad.ttl").write_text("<http://e/a> <http://e/b> .\n")
    args, start = ERRORS[case]
    done = _run(*args, cwd=repo)
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1)
    assert done.stderr.startswith(start)
