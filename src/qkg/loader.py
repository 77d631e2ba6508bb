"""The asserted graphs to the on-disk store while the build goes on (:func:`qkg.build.build`).

The fast build parses the input files into an in-memory store for the reasoner. After
each chunk of files, that chunk's named graphs are handed to RocksDB's bulk loader as
one N-Quads document, in a thread of its own, so that the loader (the longest part of
the build) works while later files are parsed and while the reasoner runs; the inferred
graph is the last document, and a second thread joins in for the documents still waiting
when the build has nothing else to do (1M triples: 15.9 s -> 11.8 s together with the
reasoner's single scans, before the compaction that follows; the same store quad by quad).
"""
from __future__ import annotations

import threading
from pathlib import Path

#: The asserted graphs go to the bulk loader in chunks of whole named graphs, each of at
#: least this many bytes of input, so that RocksDB's loader works while later files are
#: still being parsed (1M triples: 19.6 s → 14.3 s, peak memory 2.35 → 1.36 GiB) ...
CHUNK_BYTES = 16 * 2**20
#: ... and in at most this many chunks: each chunk is one bulk load, with files of its own.
MAX_CHUNKS = 8


def chunks(files: list[tuple[str, Path]]) -> list[list[tuple[str, Path]]]:
    """``(graph, path)`` pairs in groups of about :data:`CHUNK_BYTES`, a graph's files together."""
    by_graph: dict[str, list[tuple[str, Path]]] = {}
    for graph, path in files:
        by_graph.setdefault(graph, []).append((graph, path))
    size = {path: path.stat().st_size if path.is_file() else 0 for _, path in files}
    target = max(CHUNK_BYTES, sum(size.values()) // MAX_CHUNKS + 1)
    out: list[list[tuple[str, Path]]] = [[]]
    filled = 0
    for group in by_graph.values():
        if filled >= target:
            out.append([])
            filled = 0
        out[-1].extend(group)
        filled += sum(size[path] for _, path in group)
    return out


def chunk_document(mem, graphs: list[str], merged: bool) -> bytes:
    """N-Quads of ``graphs`` of ``mem``, and with ``merged`` their triples in the default graph.

    Both copies ride in one document: the loader keeps one copy of a repeated triple and
    gives a blank node the same new id throughout a document, so the default graph and
    the named graphs share them (a blank node belongs to one named graph, hence to one
    chunk). Oxigraph writes each N-Triples statement on one line ending in `` .``, with
    line breaks in literals escaped.
    """
    import pyoxigraph as ox

    triples = [(g, mem.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))) for g in graphs]
    named = b"".join(data.replace(b" .\n", b" <" + g.encode() + b"> .\n") for g, data in triples)
    return named + b"".join(data for _, data in triples) if merged else named


class Loader:
    """Bulk loads N-Quads documents into an on-disk store, in threads of their own (the
    loader runs in Rust without the GIL).

    One thread loads while the build parses and reasons; :meth:`finish`, called when the
    build has nothing else to do, adds ``workers - 1`` more for the documents still
    waiting. Each bulk load is one batch of Oxigraph's loader, hence one thread, so the
    second core would otherwise idle at the end of the build. Documents are loaded in any
    order: each holds whole named graphs, and blank node ids are unique across them.
    """

    def __init__(self, store, workers: int = 1):
        import queue

        self.store, self.queue, self.error, self.cancelled = store, queue.SimpleQueue(), None, False
        self.workers = max(1, workers)
        self.threads = [self._start()]

    def _start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        import pyoxigraph as ox

        while (data := self.queue.get()) is not None:
            if self.error is None and not self.cancelled:
                try:
                    # lenient: the documents are Oxigraph's own serialization of terms its
                    # strict parser accepted (IRIs are not validated again)
                    self.store.bulk_load(data, ox.RdfFormat.N_QUADS, lenient=True)
                except BaseException as exc:  # noqa: BLE001 -- raised in the building thread by finish()
                    self.error = exc

    def put(self, data: bytes) -> None:
        self.queue.put(data)

    def stop(self, cancel: bool = False) -> None:
        """Wait for the threads to end; with ``cancel`` (the build failed), after the loads
        under way, not the documents still waiting."""
        self.cancelled = self.cancelled or cancel
        if not self.cancelled:
            self.threads += [self._start() for _ in range(self.workers - len(self.threads))]
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()

    def finish(self) -> None:
        """Wait for every document to be loaded; raise the loader's error if there was one."""
        self.stop()
        if self.error is not None:
            raise self.error
