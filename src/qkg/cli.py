"""The ``qkg`` command line: parse arguments, call one command, choose the exit code.

Each subcommand lives in ``qkg.commands.<module>`` with ``configure(parser)`` and
``run(args) -> int``; modules are imported only when their command runs, so start-up
stays fast. Exit codes: 0 ran and all good; 1 ran and found problems; 2 could not run.
"""
from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand → (module under qkg.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("build", "build the dataset (inference, derivations) into the cached store"),
    "stats": ("stats", "count triples and instances per class in each named graph"),
    "validate": ("validate", "check syntax, vocabulary, ontology, shapes, evidence and data checks"),
    "queries": ("queries", "list the stored queries with their parameters"),
    "query": ("query", "run a stored query by name"),
    "sparql": ("sparql", "run an ad-hoc SPARQL query from a file or stdin"),
    "push": ("push", "load the named graphs and their merge into a SPARQL endpoint (Graph Store Protocol)"),
    "export": ("export", "export the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML or CSV"),
    "site": ("site", "write a static, browsable HTML site of the graph"),
    "diff": ("diff", "show the semantic difference between two files, directories or git revisions"),
    "serve": ("serve", "serve a SPARQL endpoint, a query UI and the stored queries over HTTP"),
    "demo": ("demo", "the main job: validate, print statistics and a showcase of stored queries"),
    "new-source": ("new_source", "start a new source document: copy its text and write its metadata"),
}

EPILOG = """exit codes:
  0  ran and all good
  1  ran and found problems (validation findings, failed checks)
  2  could not run (usage, missing file, syntax error, unreachable endpoint)

Run 'qkg COMMAND --help' for the options of a command."""


def _parser(argv: list[str]) -> tuple[argparse.ArgumentParser, argparse.Namespace | None]:
    from qkg import __version__

    parser = argparse.ArgumentParser(
        prog="qkg",
        description="qkg: a knowledge graph of quantum-technology policy, queried with SPARQL.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"qkg {__version__}")
    parser.add_argument("--project", metavar="DIR",
                        help="the project directory (default: found upward from the working directory, or $QKG_PROJECT)")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print results only, no progress messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if a in COMMANDS), None)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == wanted:  # import only the module of the command being run
            importlib.import_module(f"qkg.commands.{module}").configure(p)
    return parser, None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, _ = _parser(argv)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    from qkg.errors import QkgError

    module = importlib.import_module(f"qkg.commands.{COMMANDS[args.command][0]}")
    try:
        return int(module.run(args) or 0)
    except QkgError as exc:
        if args.debug:
            raise
        print(f"qkg: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("qkg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: one line, never a traceback unless asked
        if args.debug:
            raise
        print(f"qkg: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)
        return 2


def log_fn(args):
    """A progress logger writing to stderr unless ``--quiet``."""
    if getattr(args, "quiet", False):
        return lambda msg: None
    return lambda msg: print(f"qkg: {msg}", file=sys.stderr)


def project_of(args):
    from qkg.paths import Project

    return Project.at(args.project) if getattr(args, "project", None) else Project.find()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
