"""Packing page bodies for the archive in idle time, not in the fetch's."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from flows.body_spool import BodySpool, Span, SpanFile, read_exactly, write_at
from flows.fetch import FetchResult
from flows.parallel import MIN_ITEMS, idle_worker
from flows.priority import to_background
from flows.stages import is_archived
from warehouse.rows import compress_body

# Bodies handed to the packing process at a time: one message per 16 pages, not per page.
BATCH = 16

Batch = list[tuple[str, Span]]  # (page url, where the spool holds its body)


class Packer:
    """Compresses the body of every page the archive will write, in a low-priority process.

    zlib cost ~1.7 ms per benchmark page (ISA-L now 0.46). Done in threads of the fetching
    process it cut the fetch from 280 to 210 pages/s (the threads compete for the process's
    share of the CPU and its GIL), so the bodies go to a worker that takes only idle cycles:
    while the fetch waits on the network, and while matching leaves a core free. `collect`,
    called when the load needs the bodies, packs at full priority what the worker had not
    started.

    The bodies travel as places in the night's body spool, and the worker appends what it
    packs to a file: a starved worker's queue held the raw bodies, and its answers the packed
    ones, in memory until the load (~0.65 GB at 10k benchmark pages).
    """

    def __init__(
        self,
        workers: int,
        expected: int,
        held: BodySpool,
        store: Path,
        start: Callable[[], None] | None = to_background,
    ) -> None:
        """`workers` threads for what is left at collect; a worker process for `expected`
        bodies when that many are worth spawning one, started with `start` (tests: None,
        a worker at normal priority, which a busy machine cannot starve). Bodies are read
        from `held`; packed ones go to the file `store`."""
        self._workers = max(1, workers)
        self._held = held
        self.packed = PackedBodies(store)
        self._lock = threading.Lock()  # add() runs on the fetch threads
        self._batch: Batch = []
        self._sent: list[tuple[Batch, Future[list[Span]]]] = []
        self._pool: ProcessPoolExecutor | None = None
        if expected >= MIN_ITEMS:
            self._pool = idle_worker(start)

    def add(self, result: FetchResult) -> None:
        """Queue the result's body if the archive writes it and the spool holds it (call it
        after BodySpool.hold; thread-safe, returns at once)."""
        if not is_archived(result) or result.page is None:
            return
        span = self._held.span(result.page.url)
        if span is None:
            return  # a 304 keeps the archived body: nothing to pack
        with self._lock:
            self._batch.append((result.page.url, span))
            if self._pool is None or len(self._batch) < BATCH:
                return
            spans = [s for _, s in self._batch]
            try:
                future = self._pool.submit(
                    pack_spans, str(self._held.path), str(self.packed.path), spans
                )
            except BrokenProcessPool:  # the worker died: collect packs the rest here
                self._pool.shutdown(wait=False)
                self._pool = None
                return
            self._sent.append((self._batch, future))
            self._batch = []

    def collect(self) -> PackedBodies:
        """Page url → packed body of every page added; what is not packed yet is packed now."""
        with self._lock:
            left, self._batch = self._batch, []
            sent, self._sent = self._sent, []
        # Cancel every batch not started before waiting on any: while collect waited on one,
        # the worker would take the next.
        started = []
        for batch, future in sent:
            if future.cancel():
                left.extend(batch)
            else:
                started.append((batch, future))
        for batch, future in started:
            try:
                spans = future.result()
            except (BrokenProcessPool, CancelledError):  # the worker died: pack them here
                left.extend(batch)
                continue
            for (url, _), span in zip(batch, spans, strict=True):
                self.packed.found(url, span)
        self.close()
        # The worker has stopped: only this process appends to the store from here on.
        with ThreadPoolExecutor(self._workers, thread_name_prefix="pack") as threads:
            # zlib releases the GIL, so the threads use every core; list() raises what failed.
            list(threads.map(self._pack_here, *zip(*left, strict=True)))
        return self.packed

    def _pack_here(self, url: str, span: Span) -> None:
        """Pack one held body in this process."""
        self.packed.put(url, compress_body(self._held.read(span)))

    def close(self) -> None:
        """Stop the worker; bodies it had not started are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Packer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self.packed.close()


def pack_spans(source: str, target: str, spans: list[Span]) -> list[Span]:
    """In the worker: pack the bodies at `spans` of the file `source`, append them to the file
    `target`, and say where each went."""
    out = []
    src = os.open(source, os.O_RDONLY)
    dst = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        end = os.fstat(dst).st_size
        for span in spans:
            out.append(write_at(dst, compress_body(read_exactly(src, span)), end))
            end += out[-1][1]
    finally:
        os.close(src)
        os.close(dst)
    return out


class PackedBodies(SpanFile, Mapping[str, bytes]):
    """Packed bodies by page URL, in one file beside the night's other spools."""

    def found(self, url: str, span: Span) -> None:
        """Record a body the worker appended."""
        self._at[url] = span

    def put(self, url: str, packed: bytes) -> None:
        """Append a body packed in this process (thread-safe)."""
        with self._lock:
            self._at[url] = write_at(self._fd, packed, os.fstat(self._fd).st_size)

    def __getitem__(self, url: str) -> bytes:
        return self.read(self._at[url])

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)
