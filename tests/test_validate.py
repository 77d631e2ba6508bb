"""qkg.validate: the invalid-input suite, the real project's data, exit codes and the CLI."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qkg.validate import STAGES, Finding, Report, validate_project

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT / "tests" / "fixtures" / "invalid"
MANIFEST = json.loads((INVALID / "manifest.json").read_text(encoding="utf-8"))
QKG = Path(sys.executable).parent / "qkg"
#: Stages that need the OWL RL closure (about a second per case). A case whose finding
#: comes from another stage runs without them; the valid case runs every stage.
CLOSURE_STAGES = ("shapes", "checks", "reasoning")
LIGHT_STAGES = ("syntax", "vocabulary", "ontology", "evidence")


def _cli(*args: str, project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(QKG), "--project", str(project), *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("case", sorted(MANIFEST), ids=sorted(MANIFEST))
def test_invalid_input(case, project_copy):
    """Each bad input gives its finding (stable code, stage, place, message) and exit code."""
    expect = MANIFEST[case]
    if (INVALID / case).is_dir():  # missing-file has nothing to copy
        shutil.copytree(INVALID / case, project_copy.root, dirs_exist_ok=True)
    target = project_copy.root / "data" / f"{case}.ttl"
    if expect.get("cli"):
        done = _cli("validate", "--format", "json", str(target), project=project_copy.root)
        assert "Traceback" not in done.stderr
        assert done.returncode == expect["exit"]
        findings = json.loads(done.stdout)["findings"]
    else:
        wanted = expect.get("stage")
        stages = STAGES if wanted is None or wanted in CLOSURE_STAGES else LIGHT_STAGES
        report = validate_project(project_copy, files=[target], stages=stages)
        assert report.exit_code == expect["exit"]
        findings = [f.as_dict() for f in report.findings]
    if "code" not in expect:
        assert findings == expect["findings"]
        return
    hits = [f for f in findings if f["code"] == expect["code"]]
    assert len(hits) == expect["count"]
    hit = hits[0]
    where = hit["file"] + "".join(f":{hit[k]}" for k in ("line", "col") if k in hit)
    assert (hit["stage"], where) == (expect["stage"], expect["where"])
    assert expect["fragment"] in hit["message"]


#: Cases whose finding comes from a stage that reads the build's store when the whole
#: project is validated (the cases above validate one file, parsed in memory).
STORE_CASES = sorted(c for c, e in MANIFEST.items() if e.get("stage") in ("vocabulary", "evidence", "checks"))


@pytest.mark.parametrize("case", STORE_CASES, ids=STORE_CASES)
def test_invalid_input_in_the_whole_project(case, project_copy, tmp_path, monkeypatch):
    """The whole project, validated on its build's store, gives each case's finding too."""
    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    expect = MANIFEST[case]
    shutil.copytree(INVALID / case, project_copy.root, dirs_exist_ok=True)
    report = validate_project(project_copy, stages=("syntax", expect["stage"]))
    hits = [f for f in report.findings if f.code == expect["code"]]
    assert len(hits) == expect["count"]
    assert (hits[0].stage, hits[0].location()) == (expect["stage"], expect["where"])
    assert expect["fragment"] in hits[0].message


def test_stages_side_by_side_find_what_they_find_one_by_one(project_copy, tmp_path, monkeypatch):
    """On the built store the stages run in threads; the findings, their order and the
    stage list are those of a run in order (``QKG_THREADS=1``)."""
    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    for case in STORE_CASES:
        shutil.copytree(INVALID / case, project_copy.root, dirs_exist_ok=True)
    reports = {}
    for threads in ("1", "4"):
        monkeypatch.setenv("QKG_THREADS", threads)
        reports[threads] = validate_project(project_copy)
    one, many = reports["1"], reports["4"]
    assert {f.stage for f in one.findings} >= {"vocabulary", "evidence", "checks"}
    assert [f.as_dict() for f in many.findings] == [f.as_dict() for f in one.findings]
    assert many.stages == one.stages == list(STAGES)


def test_a_failing_stage_raises_the_first_stages_error(project, tmp_path, monkeypatch):
    from qkg import validate

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QKG_THREADS", "4")
    original = validate._run_stage

    def failing(stage, *args):
        if stage in ("vocabulary", "checks"):
            raise RuntimeError(stage)
        return original(stage, *args)

    monkeypatch.setattr(validate, "_run_stage", failing)
    with pytest.raises(RuntimeError, match="^vocabulary$"):
        validate_project(project)


@pytest.mark.parametrize("case", ["empty-file", "syntax-error"])
def test_syntax_findings_in_the_whole_project_with_or_without_a_store(case, project_copy, tmp_path, monkeypatch):
    """A store built from the very bytes validated spares their second parse, not its
    findings (empty-file builds, so its store is current); a file the store did not
    parse (syntax-error cannot build) is parsed again."""
    from qkg.build import build, cached_store

    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    expect = MANIFEST[case]
    build(project_copy)
    shutil.copytree(INVALID / case, project_copy.root, dirs_exist_ok=True)
    if case == "empty-file":
        build(project_copy)
    assert (cached_store(project_copy) is not None) == (case == "empty-file")
    report = validate_project(project_copy, stages=("syntax",))
    hits = [f for f in report.findings if f.code == expect["code"]]
    assert [(h.stage, h.location()) for h in hits] == [(expect["stage"], expect["where"])]
    assert report.exit_code == expect["exit"]


def test_a_literal_focus_is_reported_not_a_crash(project_copy, tmp_path, monkeypatch):
    """A literal where a node belongs (an annotation whose target is a string) is a
    finding on the built store too, whose lookups refuse literal subjects."""
    monkeypatch.setenv("QKG_CACHE_DIR", str(tmp_path / "cache"))
    data = project_copy.data_dir / "2025-09-22-cabinet-office-7th-mdq.ttl"
    data.write_text(data.read_text(encoding="utf-8") + '\n[] a oa:Annotation ; oa:hasTarget "a passage" .\n',
                    encoding="utf-8")
    report = validate_project(project_copy, stages=("syntax", "evidence"))
    hits = [f for f in report.findings if f.code == "QKG-EVIDENCE-NO-SOURCE"]
    assert [(h.focus, h.file) for h in hits] == [("a passage", "data/2025-09-22-cabinet-office-7th-mdq.ttl")]


# -- the real project ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def project_report(project, store_path):
    """The whole project validated once, on the session's built store."""
    return validate_project(project)


@pytest.mark.parametrize("stage", STAGES, ids=STAGES)
def test_project_stage_is_clean(project_report, stage):
    """No finding at all, of any severity, in any stage: data problems are fixed, not waived."""
    assert stage in project_report.stages
    assert [f for f in project_report.findings if f.stage == stage] == []


#: ISSUE 2: what the data must satisfy, each by the codes that would report it.
REQUIREMENTS = {
    "quotes-occur-verbatim": {"QKG-QUOTE-NOT-FOUND", "QKG-QUOTE-CONTEXT", "QKG-POSITION-MISMATCH"},
    "terms-declared": {"QKG-UNDECLARED-PROPERTY", "QKG-UNDECLARED-CLASS"},
    "entities-have-english-labels": {"QKG-CHECK-ENTITY-WITHOUT-ENGLISH-LABEL", "QKG-CHECK-UNLABELLED-MENTIONED-ENTITY"},
    "events-have-type-date-source": {"QKG-CHECK-EVENT-WITHOUT-TYPE", "QKG-CHECK-EVENT-WITHOUT-DATE",
                                     "QKG-CHECK-EVENT-WITHOUT-SOURCE"},
    "no-naive-date-times": {"QKG-CHECK-NAIVE-DATE-TIME"},
    "no-owlrl-error-nodes": {"QKG-OWLRL-ERROR"},
    "texts-match-their-digests": {"QKG-SHA256-MISMATCH", "QKG-MISSING-TEXT"},
}


@pytest.mark.parametrize("requirement", sorted(REQUIREMENTS), ids=sorted(REQUIREMENTS))
def test_project_meets(project_report, requirement):
    assert [f for f in project_report.findings if f.code in REQUIREMENTS[requirement]] == []


def test_project_exit_code(project_report):
    assert project_report.exit_code == 0


def test_clean_project_cli_exits_0(project, store_path):
    done = _cli("validate", project=project.root)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("qkg validate: 0 violations, 0 warnings, 0 infos in 8 stages")


# -- exit codes --------------------------------------------------------------------------------

F = {
    "violation": Finding("QKG-X", "checks", "violation", "m"),
    "warning": Finding("QKG-X", "checks", "warning", "m"),
    "info": Finding("QKG-X", "checks", "info", "m"),
    "syntax": Finding("QKG-SYNTAX", "syntax", "violation", "m"),
}
EXIT_CODES = {
    "clean": ([], "violation", 0),
    "violation": (["violation"], "violation", 1),
    "warning-only": (["warning"], "violation", 0),
    "warning-fails-on-warning": (["warning"], "warning", 1),
    "info-fails-on-info": (["info"], "info", 1),
    "info-passes-on-warning": (["info"], "warning", 0),
    "syntax-error": (["syntax"], "violation", 2),
    "syntax-and-violation": (["syntax", "violation"], "violation", 2),
}


@pytest.mark.parametrize("name", sorted(EXIT_CODES), ids=sorted(EXIT_CODES))
def test_exit_code(name):
    kinds, fail_on, code = EXIT_CODES[name]
    assert Report([F[k] for k in kinds], fail_on=fail_on).exit_code == code


def test_unknown_fail_on_is_a_usage_error(project):
    from qkg.errors import UsageError

    with pytest.raises(UsageError, match="unknown severity 'error'"):
        validate_project(project, fail_on="error")


def test_help_documents_stages_and_exit_codes():
    done = subprocess.run([str(QKG), "validate", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for stage in STAGES:
        assert f"\n  {stage} " in done.stdout
    assert "2  could not run" in done.stdout
