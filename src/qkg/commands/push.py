"""``qkg push``: load every named graph (and the merged default graph) into a SPARQL
endpoint (Graph Store Protocol PUT)."""
from __future__ import annotations

from qkg.cli import log_fn, project_of


def configure(p) -> None:
    p.add_argument("--endpoint", metavar="URL",
                   help="the endpoint's SPARQL query URL, e.g. http://localhost:7878/query ($QKG_ENDPOINT)")
    p.add_argument("--store-url", metavar="URL",
                   help="its Graph Store Protocol URL (default: next to the query URL, .../store as in Oxigraph)")


def run(args) -> int:
    import os

    from qkg.build import ensure_built
    from qkg.errors import UsageError
    from qkg.store import ENDPOINT_ENV, EmbeddedBackend, RemoteBackend, push

    endpoint = args.endpoint or os.environ.get(ENDPOINT_ENV)
    if not endpoint:
        raise UsageError(f"give the endpoint to push to: --endpoint URL (or set ${ENDPOINT_ENV})", "--endpoint")
    target = RemoteBackend(endpoint)
    log = log_fn(args)
    source = EmbeddedBackend(ensure_built(project_of(args), log=log))
    counts = push(source, target, args.store_url, log=log)
    default = counts.pop(None, None)
    merge = f" and their merge of {default} triples into the default graph" if default is not None else ""
    print(f"pushed {sum(counts.values())} triples in {len(counts)} named graphs{merge} to {endpoint}")
    return 0
