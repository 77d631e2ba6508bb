"""``qkg queries``: the stored-query catalog, with parameters, types and defaults."""
from __future__ import annotations

import json
import sys

from qkg.cli import project_of

#: How a parameter's value is written on the command line, by type.
PLACEHOLDERS = {"iri": "IRI", "integer": "N", "xsd_date": "YYYY-MM-DD", "string": "TEXT"}


def configure(p) -> None:
    p.add_argument("-f", "--format", choices=("text", "json"), default="text",
                   help="text: one block per query (default); json: the catalog as a JSON list, "
                        "each query with its name, summary, description, tags, form and parameters")


def describe(query) -> str:
    """One catalog entry as text: name, summary, then one line per parameter."""
    from qkg.namespaces import shorten

    lines = [query.name, f"    {query.summary}" if query.summary else "    (no summary)"]
    for p in query.parameters:
        default = ""
        if p.default is not None:
            default = f", default {shorten(p.default) if p.type == 'iri' else p.default}"
        need = "required" if p.required and p.default is None else "optional"
        about = f"  {p.description}" if p.description else ""
        lines.append(f"    -p {p.name}={PLACEHOLDERS[p.type]}  ({p.type}, {need}{default}){about}")
        if p.enumerate:
            values = ", ".join(shorten(v) if p.type == "iri" else v for v in p.enumerate)
            lines.append(f"        one of: {values}")
    return "\n".join(lines)


def run(args) -> int:
    from qkg.queries import Catalog

    catalog = Catalog.load(project_of(args))
    if args.format == "json":
        json.dump([q.to_dict() for q in catalog], sys.stdout, indent=1, ensure_ascii=False)
        print()
        return 0
    print("\n\n".join(describe(q) for q in catalog))
    print(f"\n{len(catalog)} stored queries; run one with: qkg query NAME [-p NAME=VALUE]...")
    return 0
