"""qkg.report: text, JSON, JUnit XML and GitHub renderings of a report."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from qkg.report import render
from qkg.validate import Finding, Report

QS = "https://w3id.org/qkg/id/org/q-star"
REPORT = Report(
    findings=[
        Finding("QKG-QUOTE-NOT-FOUND", "evidence", "violation", 'quote not in the source text: "x"',
                "data/a.ttl", 12, QS, "Q-STAR"),
        Finding("QKG-LABEL-WHITESPACE", "ontology", "warning", "label has spaces, commas: yes", "ontology/qkg.ttl", 3),
        Finding("QKG-SYNTAX-X", "vocabulary", "info", "100% sure\nsecond line", "data/a.ttl", 2, col=7),
        Finding("QKG-OWLRL-ERROR", "reasoning", "violation", "inconsistent"),
    ],
    stages=["syntax", "vocabulary", "ontology", "evidence", "reasoning"],
    seconds=1.5,
)

TEXT = """data/a.ttl
      2:7  [INFO] [vocabulary] 100% sure second line (QKG-SYNTAX-X)
       12  [VIOLATION] [evidence] quote not in the source text: "x" — Q-STAR <https://w3id.org/qkg/id/org/q-star> (QKG-QUOTE-NOT-FOUND)

ontology/qkg.ttl
        3  [WARNING] [ontology] label has spaces, commas: yes (QKG-LABEL-WHITESPACE)

(project)
        -  [VIOLATION] [reasoning] inconsistent (QKG-OWLRL-ERROR)

qkg validate: 2 violations, 1 warning, 1 info in 5 stages (1.50 s): failed"""


def test_text():
    assert render(REPORT, "text") == TEXT


def test_text_colour_on_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[31m[VIOLATION]\033[0m" in render(REPORT, "text", color=True)


def test_no_color_wins(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert render(REPORT, "text", color=True) == TEXT


def test_json():
    doc = json.loads(render(REPORT, "json"))
    assert (doc["exit_code"], doc["counts"], doc["stages"][0]) == (1, {"violation": 2, "warning": 1, "info": 1}, "syntax")
    assert doc["findings"][1] == {"code": "QKG-QUOTE-NOT-FOUND", "stage": "evidence", "severity": "violation",
                                  "message": 'quote not in the source text: "x"', "file": "data/a.ttl", "line": 12,
                                  "focus": QS, "label": "Q-STAR"}


def test_junit_has_a_suite_per_stage_and_a_case_per_finding():
    root = ET.fromstring(render(REPORT, "junit"))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == REPORT.stages
    assert (root.get("tests"), root.get("failures")) == ("5", "2")
    assert [c.get("name") for c in suites["syntax"].iter("testcase")] == ["syntax: no findings"]
    (case,) = suites["evidence"].iter("testcase")
    failure = case.find("failure")
    assert (case.get("file"), case.get("line"), failure.get("type")) == ("data/a.ttl", "12", "QKG-QUOTE-NOT-FOUND")
    (warning,) = suites["ontology"].iter("testcase")
    assert (warning.find("failure"), warning.find("system-out").text) == (
        None, "[WARNING] [ontology] label has spaces, commas: yes")


def test_junit_warning_fails_with_fail_on_warning():
    report = Report(findings=REPORT.findings[1:2], stages=["ontology"], fail_on="warning")
    root = ET.fromstring(render(report, "junit"))
    assert root.get("failures") == "1"


GITHUB = [
    "::notice file=data/a.ttl,line=2,col=7,title=QKG-SYNTAX-X [vocabulary]::100%25 sure%0Asecond line",
    '::error file=data/a.ttl,line=12,title=QKG-QUOTE-NOT-FOUND [evidence]::quote not in the source text: "x" '
    "— Q-STAR <https://w3id.org/qkg/id/org/q-star>",
    "::warning file=ontology/qkg.ttl,line=3,title=QKG-LABEL-WHITESPACE [ontology]::label has spaces, commas: yes",
    "::error title=QKG-OWLRL-ERROR [reasoning]::inconsistent",
    "qkg validate: 2 violations, 1 warning, 1 info in 5 stages (1.50 s): failed",
]


def test_github():
    assert render(REPORT, "github").split("\n") == GITHUB


def test_unknown_format():
    from qkg.errors import UsageError

    with pytest.raises(UsageError, match="unknown format 'xml'"):
        render(REPORT, "xml")


def test_clean_report_text():
    assert render(Report(stages=["syntax"], seconds=0.25), "text") == (
        "qkg validate: 0 violations, 0 warnings, 0 infos in 1 stages (0.25 s): passed")
