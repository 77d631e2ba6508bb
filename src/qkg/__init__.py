"""qkg: a knowledge graph of quantum-technology policy, queried with SPARQL.

The package keeps start-up light: nothing heavy is imported here. ``KnowledgeGraph``
is resolved lazily on first access.
"""
from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("qkg")
except _metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["KnowledgeGraph", "QkgError", "__version__"]


def __getattr__(name: str):
    if name == "KnowledgeGraph":
        from qkg.api import KnowledgeGraph

        return KnowledgeGraph
    if name == "QkgError":
        from qkg.errors import QkgError

        return QkgError
    raise AttributeError(f"module 'qkg' has no attribute {name!r}")
