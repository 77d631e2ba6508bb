"""qkg: a knowledge graph of quantum-technology policy, queried with SPARQL.

The package keeps start-up light: nothing heavy is imported here. ``KnowledgeGraph``,
``QkgError`` and ``__version__`` (read with importlib.metadata, which costs tens of
milliseconds) are resolved lazily on first access.
"""
from __future__ import annotations

__all__ = ["KnowledgeGraph", "QkgError", "__version__"]


def _read_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("qkg")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0.0.0+unknown"


def __getattr__(name: str):
    if name == "__version__":
        value = _read_version()
        globals()["__version__"] = value
        return value
    if name == "KnowledgeGraph":
        from qkg.api import KnowledgeGraph

        return KnowledgeGraph
    if name == "QkgError":
        from qkg.errors import QkgError

        return QkgError
    raise AttributeError(f"module 'qkg' has no attribute {name!r}")
