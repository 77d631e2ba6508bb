"""Rendering a validation report: text, JSON, JUnit XML and GitHub workflow commands.

Text groups findings by file, one line each, ``[SEVERITY] [stage] message`` after
the position; colour only when asked (a terminal) and never with ``NO_COLOR`` set.
JUnit has one testsuite per stage and one testcase per finding (a passing testcase
when the stage is clean). GitHub output uses workflow commands
(``::error file=…,line=…::message``) so findings annotate the pull request.
"""
from __future__ import annotations

import json
import os

FORMATS = ("text", "json", "junit", "github")
_COLORS = {"violation": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def render(report, fmt: str = "text", color: bool = False) -> str:
    """The report as ``fmt`` (one of :data:`FORMATS`), ending without a newline.

    :raises UsageError: an unknown format.
    """
    if fmt not in FORMATS:
        from qkg.errors import UsageError

        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", "--format")
    if fmt == "json":
        return render_json(report)
    if fmt == "junit":
        return render_junit(report)
    if fmt == "github":
        return render_github(report)
    return render_text(report, color=color and not os.environ.get("NO_COLOR"))


def _sorted(findings):
    from qkg.validate import STAGES

    return sorted(findings, key=lambda f: (f.file or "~", f.line or 0, f.col or 0, STAGES.index(f.stage), f.code,
                                           f.focus or "", f.message))


def _focus(f) -> str:
    if not f.focus:
        return ""
    return f" — {f.label} <{f.focus}>" if f.label else f" — <{f.focus}>"


def summary(report) -> str:
    """One line: counts, stages, seconds and the verdict."""
    v, w, i = (report.count(s) for s in ("violation", "warning", "info"))
    verdict = {0: "passed", 1: "failed", 2: "could not run (fix the syntax error first)"}[report.exit_code]
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    return (f"qkg validate: {plural(v, 'violation')}, {plural(w, 'warning')}, {plural(i, 'info')} "
            f"in {len(report.stages)} stages ({report.seconds:.2f} s): {verdict}")


def render_text(report, color: bool = False) -> str:
    def paint(text, code):
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    current = object()
    for f in _sorted(report.findings):
        if f.file != current:
            current = f.file
            if lines:
                lines.append("")
            lines.append(paint(f.file or "(project)", _BOLD))
        where = f"{f.line}" + (f":{f.col}" if f.col else "") if f.line else "-"
        sev = paint(f"[{f.severity.upper()}]", _COLORS[f.severity])
        message = " ".join(f.message.split("\n"))  # one finding, one line
        lines.append(f"  {where:>7}  {sev} [{f.stage}] {message}{_focus(f)} {paint('(' + f.code + ')', _DIM)}")
    if lines:
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines)


def render_json(report) -> str:
    doc = {
        "exit_code": report.exit_code,
        "fail_on": report.fail_on,
        "seconds": round(report.seconds, 3),
        "counts": {s: report.count(s) for s in ("violation", "warning", "info")},
        "stages": list(report.stages),
        "findings": [f.as_dict() for f in _sorted(report.findings)],
    }
    return json.dumps(doc, indent=1, ensure_ascii=False)


def _fails(report, f) -> bool:
    from qkg.validate import SEVERITIES

    return SEVERITIES.index(f.severity) <= SEVERITIES.index(report.fail_on) or report.fatal


def render_junit(report) -> str:
    """JUnit XML: testsuite per stage, testcase per finding (JUnit 4 schema subset)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="qkg validate", time=f"{report.seconds:.3f}")
    total = failed = 0
    for stage in report.stages:
        found = [f for f in _sorted(report.findings) if f.stage == stage]
        fails = sum(1 for f in found if _fails(report, f))
        suite = ET.SubElement(root, "testsuite", name=stage, tests=str(max(len(found), 1)),
                              failures=str(fails), errors="0", skipped="0")
        if not found:
            ET.SubElement(suite, "testcase", classname=f"qkg.validate.{stage}", name=f"{stage}: no findings")
        for f in found:
            name = f"{f.code} {f.location() or '(project)'}" + (f" {f.focus}" if f.focus else "")
            case = ET.SubElement(suite, "testcase", classname=f"qkg.validate.{stage}", name=name)
            if f.file:
                case.set("file", f.file)
            if f.line:
                case.set("line", str(f.line))
            text = f"[{f.severity.upper()}] [{f.stage}] {f.message}{_focus(f)}"
            if _fails(report, f):
                ET.SubElement(case, "failure", type=f.code, message=f.message).text = text
            else:
                ET.SubElement(case, "system-out").text = text
        total += max(len(found), 1)
        failed += fails
    root.set("tests", str(total))
    root.set("failures", str(failed))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(report) -> str:
    """GitHub Actions workflow commands, one per finding, then the summary line."""
    kinds = {"violation": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in _sorted(report.findings):
        props = []
        if f.file:
            props.append(f"file={_escape_property(f.file)}")
        if f.line:
            props.append(f"line={f.line}")
        if f.col:
            props.append(f"col={f.col}")
        props.append(f"title={_escape_property(f.code + ' [' + f.stage + ']')}")
        lines.append(f"::{kinds[f.severity]} {','.join(props)}::{_escape_data(f.message + _focus(f))}")
    lines.append(summary(report))
    return "\n".join(lines)
