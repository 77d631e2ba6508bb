"""The project layout: the only place where qkg builds file paths."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qkg.errors import InputError
from qkg.namespaces import GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, SOURCES_GRAPH

#: Environment variable naming the project directory (default: found from the cwd).
PROJECT_ENV = "QKG_PROJECT"
#: Environment variable naming the cache directory (default: PROJECT/.qkg).
CACHE_ENV = "QKG_CACHE_DIR"

META_SUFFIX = ".meta.ttl"


@dataclass(frozen=True)
class Source:
    """One source document: its text, its corpus metadata and its Turtle graph."""

    source_id: str
    text: Path
    meta: Path
    data: Path

    @property
    def graph(self) -> str:
        return GRAPH + self.source_id


@dataclass(frozen=True)
class Project:
    """A qkg project directory (ontology/, data/, queries/)."""

    root: Path

    @classmethod
    def at(cls, directory: str | os.PathLike) -> "Project":
        """The project exactly at ``directory`` (as given with ``--project``).

        :raises InputError: if the directory holds no ``ontology/qkg.ttl``.
        """
        root = Path(directory)
        if not (root / "ontology" / "qkg.ttl").is_file():
            raise InputError("no qkg project here: the directory has no ontology/qkg.ttl", str(directory))
        return cls(root.resolve())

    @classmethod
    def find(cls, start: str | os.PathLike | None = None) -> "Project":
        """Locate the project: ``$QKG_PROJECT``, else the nearest directory upward
        from ``start`` (default: the working directory) holding ``ontology/qkg.ttl``.

        :raises InputError: if no project directory is found.
        """
        env = os.environ.get(PROJECT_ENV)
        if env and start is None:
            root = Path(env)
            if not (root / "ontology" / "qkg.ttl").is_file():
                raise InputError(
                    f"{PROJECT_ENV} points at a directory without ontology/qkg.ttl", env
                )
            return cls(root.resolve())
        here = Path(start or os.getcwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "ontology" / "qkg.ttl").is_file():
                return cls(candidate)
        # Fall back to the source tree this package was installed from (editable install).
        tree = Path(__file__).resolve().parents[2]
        if (tree / "ontology" / "qkg.ttl").is_file():
            return cls(tree)
        raise InputError(
            "no qkg project here: run inside a directory with ontology/qkg.ttl "
            f"or set {PROJECT_ENV}",
            str(here),
        )

    # -- directories -------------------------------------------------------------
    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.ontology_dir / "shapes"

    @property
    def rules_dir(self) -> Path:
        return self.ontology_dir / "rules"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.queries_dir / "checks"

    @property
    def cache_dir(self) -> Path:
        env = os.environ.get(CACHE_ENV)
        return Path(env) if env else self.root / ".qkg"

    # -- files ---------------------------------------------------------------------
    @property
    def ontology_files(self) -> list[Path]:
        """The ontology graph: qkg.ttl first, then the code lists."""
        main = self.ontology_dir / "qkg.ttl"
        rest = sorted(p for p in self.ontology_dir.glob("*.ttl") if p != main)
        return [main, *rest]

    @property
    def shape_files(self) -> list[Path]:
        return sorted(self.shapes_dir.glob("*.ttl"))

    @property
    def rule_files(self) -> list[Path]:
        return sorted(self.rules_dir.glob("*.rq"))

    @property
    def reference_file(self) -> Path:
        return self.data_dir / "reference.ttl"

    def sources(self) -> list[Source]:
        """Every source document, found by its metadata file, in id order."""
        out = []
        for meta in sorted(self.sources_dir.glob("*" + META_SUFFIX)):
            sid = meta.name[: -len(META_SUFFIX)]
            out.append(Source(sid, self.sources_dir / f"{sid}.txt", meta, self.data_dir / f"{sid}.ttl"))
        return out

    def source(self, source_id: str) -> Source:
        for src in self.sources():
            if src.source_id == source_id:
                return src
        known = ", ".join(s.source_id for s in self.sources())
        raise InputError(f"unknown source id {source_id!r}; known: {known}", "--graph")

    def graph_files(self) -> list[tuple[str, Path]]:
        """Every RDF input file with the named graph it is loaded into, in build order."""
        files = [(ONTOLOGY_GRAPH, p) for p in self.ontology_files]
        if self.reference_file.exists():
            files.append((REFERENCE_GRAPH, self.reference_file))
        for src in self.sources():
            files.append((SOURCES_GRAPH, src.meta))
            files.append((src.graph, src.data))
        return files

    def orphan_data_files(self) -> list[Path]:
        """Turtle files in data/ that belong to no source (no metadata file)."""
        known = {s.data for s in self.sources()} | {self.reference_file}
        return sorted(p for p in self.data_dir.glob("*.ttl") if p not in known)

    def relative(self, path: Path | str) -> str:
        """``path`` relative to the project root where possible, for messages."""
        p = Path(path)
        try:
            return str(p.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
