"""``qkg diff OLD NEW``: the semantic difference of two files, directories or git revisions."""
from __future__ import annotations

from qkg.cli import EPILOG, project_of

DESCRIPTION = """print the triples added and removed between OLD and NEW, grouped by file and
entity, with labels. OLD and NEW are two Turtle files, two directories (a project
directory contributes data/*.ttl, data/sources/*.ttl and ontology/*.ttl; any other
directory every *.ttl under it), or two git revisions of the project, read with
'git show REV:path' (e.g. 'qkg diff HEAD~1 HEAD', 'qkg diff main HEAD').
Blank nodes are compared by graph isomorphism, not by their ids, so re-ordering
or re-formatting a file is no difference."""

DIFF_EPILOG = """exit codes:
  0  no semantic difference
  1  differences found
  2  could not run (no such file or revision, syntax error)"""


def configure(p) -> None:
    p.description = DESCRIPTION
    p.epilog = DIFF_EPILOG + "\n\n" + EPILOG.split("\n\n", 1)[-1]
    p.add_argument("old", metavar="OLD", help="a Turtle file, a directory or a git revision (the base)")
    p.add_argument("new", metavar="NEW", help="a Turtle file, a directory or a git revision (the change)")
    p.add_argument("-f", "--format", choices=("text", "md"), default="text",
                   help="text (default) or md: Markdown with a diff block per entity, for a pull-request comment")


def run(args) -> int:
    from qkg.diff import diff, render_markdown, render_text

    project = project_of(args)
    diffs = diff(args.old, args.new, project.root)
    print(render_markdown(diffs) if args.format == "md" else render_text(diffs))
    return 1 if diffs else 0
