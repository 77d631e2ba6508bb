"""``qkg site``: write a static, browsable HTML site of the graph."""
from __future__ import annotations

from qkg.cli import log_fn, project_of


def configure(p) -> None:
    p.add_argument("out", metavar="OUT", help="the directory to write (created; replaced if qkg wrote it before)")
    p.add_argument("--endpoint-url", metavar="URL",
                   help="the public SPARQL endpoint to declare in the dataset description")


def run(args) -> int:
    from qkg.site import build_site
    from qkg.store import backend_for

    project = project_of(args)
    log = log_fn(args)
    build_site(backend_for(None, project=project, log=log), args.out, project=project,
               endpoint_url=args.endpoint_url, log=log)
    return 0
