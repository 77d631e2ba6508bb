"""Statistics of the built dataset: triples and instances per class, per named graph."""
from __future__ import annotations

from dataclasses import dataclass, field

TRIPLES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
INSTANCES = (
    "SELECT ?g ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } } "
    "GROUP BY ?g ?class"
)


@dataclass
class GraphStats:
    graph: str
    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)


def compute(backend) -> list[GraphStats]:
    """Per-graph statistics from any backend (embedded or remote)."""
    stats: dict[str, GraphStats] = {}
    for row in backend.query(TRIPLES).dicts():
        stats[row["g"]] = GraphStats(row["g"], int(row["n"]))
    for row in backend.query(INSTANCES).dicts():
        stats.setdefault(row["g"], GraphStats(row["g"])).classes[row["class"]] = int(row["n"])
    return sorted(stats.values(), key=lambda s: s.graph)


def render(stats: list[GraphStats], with_classes: bool = True) -> str:
    from qkg.namespaces import shorten

    lines = []
    width = max((len(shorten(s.graph)) for s in stats), default=10)
    for s in stats:
        lines.append(f"{shorten(s.graph):<{width}}  {s.triples:>8} triples")
        if with_classes:
            for cls, n in sorted(s.classes.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"    {shorten(cls):<40} {n:>6}")
    total = sum(s.triples for s in stats)
    lines.append(f"{'total':<{width}}  {total:>8} triples in {len(stats)} named graphs")
    return "\n".join(lines)
