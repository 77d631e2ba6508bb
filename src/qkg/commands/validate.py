"""``qkg validate``: the data gate — every stage, findings in text, JSON, JUnit or GitHub form."""
from __future__ import annotations

import os
import sys

from qkg.cli import EPILOG, project_of

DESCRIPTION = """check the project (or the given document files) in stages, in this order:
  syntax      every Turtle file parses (file:line:col; a syntax error stops the run)
  vocabulary  classes and properties are declared (ontology or the external-terms list),
              derived properties are not asserted, literals fit their datatype and range
  ontology    labels, definitions, duplicate labels, the ontology header, declared domains/ranges
  shapes      SHACL (ontology/shapes/) on the data plus the build's OWL RL closure
  evidence    quotes occur verbatim in the source text, positions point at them, fact-bearing
              nodes and statements have evidence, text digests match, files come in threes
  checks      queries/checks/*-violation.rq on the built dataset: zero rows = pass
  reasoning   OWL RL inconsistencies (owlrl error nodes)
  queries     stored queries and checks: strict SPARQL 1.1, OPTIONAL placement, metadata

Every finding has a stable code (QKG-…) and a severity: violations fail the run;
warnings and infos are printed and fail it only with --fail-on warning (or info)."""


def configure(p) -> None:
    p.description = DESCRIPTION
    p.epilog = EPILOG
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="document files (data/<id>.ttl) to check against the ontology, shapes and reference "
                        "graph; default: the whole project")
    p.add_argument("-f", "--format", choices=("text", "json", "junit", "github"), default="text",
                   help="text (default; grouped by file, coloured on a terminal unless NO_COLOR is set), "
                        "json, junit (JUnit XML for CI) or github (workflow commands that annotate a pull request)")
    p.add_argument("--fail-on", choices=("violation", "warning", "info"), default="violation",
                   help="the lowest severity that fails the run (default: violation)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")


def run(args) -> int:
    from pathlib import Path

    from qkg.report import render
    from qkg.validate import validate_project

    project = project_of(args)
    report = validate_project(project, files=[Path(f) for f in args.files] or None, fail_on=args.fail_on)
    if args.output:
        Path(args.output).write_text(render(report, args.format) + "\n", encoding="utf-8")
        if not args.quiet:
            from qkg.report import summary

            print(summary(report), file=sys.stderr)
    else:
        color = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(render(report, args.format, color=color))
    return report.exit_code
