"""Packing page bodies for the archive in idle time, not in the fetch's."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from flows.fetch import FetchResult
from flows.parallel import MIN_ITEMS, idle_worker, map_chunk
from flows.priority import to_background
from flows.stages import is_archived
from warehouse.rows import compress_body

# Bodies handed to the packing process at a time: one message per ~1.7 MB, not per page.
BATCH = 16

Batch = list[tuple[str, bytes]]  # (page url, body)


class Packer:
    """Compresses the body of every page the archive will write, in a low-priority process.

    zlib cost ~1.7 ms per benchmark page (ISA-L now 0.46). Done in threads of the fetching
    process it cut the fetch from 280 to 210 pages/s (the threads compete for the process's
    share of the CPU and its GIL), so the bodies go to a worker that takes only idle cycles:
    while the fetch waits on the network, and while matching leaves a core free. `collect`,
    called when the load needs the bodies, packs at full priority what the worker had not
    started.
    """

    def __init__(
        self, workers: int, expected: int, start: Callable[[], None] | None = to_background
    ) -> None:
        """`workers` threads for what is left at collect; a worker process for `expected`
        bodies when that many are worth spawning one, started with `start` (tests: None,
        a worker at normal priority, which a busy machine cannot starve)."""
        self._workers = max(1, workers)
        self._lock = threading.Lock()  # add() runs on the fetch threads
        self._batch: Batch = []
        self._sent: list[tuple[Batch, Future[list[bytes]]]] = []
        self._pool: ProcessPoolExecutor | None = None
        if expected >= MIN_ITEMS:
            self._pool = idle_worker(start)

    def add(self, result: FetchResult) -> None:
        """Queue the result's body if the archive writes it (thread-safe, returns at once)."""
        if not is_archived(result) or result.page is None:
            return
        with self._lock:
            self._batch.append((result.page.url, result.page.body))
            if self._pool is None or len(self._batch) < BATCH:
                return
            try:
                future = self._pool.submit(map_chunk, compress_body, [b for _, b in self._batch])
            except BrokenProcessPool:  # the worker died: collect packs the rest here
                self._pool.shutdown(wait=False)
                self._pool = None
                return
            future.add_done_callback(functools.partial(_let_go, self._batch))
            self._sent.append((self._batch, future))
            self._batch = []

    def collect(self) -> dict[str, bytes]:
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
        packed: dict[str, bytes] = {}
        for batch, future in started:
            try:
                packed.update(zip((url for url, _ in batch), future.result(), strict=True))
            except (BrokenProcessPool, CancelledError):  # the worker died: pack them here
                left.extend(batch)
        self.close()
        with ThreadPoolExecutor(self._workers, thread_name_prefix="pack") as threads:
            # zlib releases the GIL, so the threads use every core.
            bodies = threads.map(compress_body, [body for _, body in left])
            packed.update(zip((url for url, _ in left), bodies, strict=True))
        return packed

    def close(self) -> None:
        """Stop the worker; bodies it had not started are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Packer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _let_go(batch: Batch, future: Future[list[bytes]]) -> None:
    """Drop a packed batch's raw bodies, keeping its urls: the packer held every body of the
    night until the load (~0.8 GB at 10k benchmark pages) while parse had let them go."""
    if not future.cancelled() and future.exception() is None:
        batch[:] = [(url, b"") for url, _ in batch]
