"""CPU-bound batch work (HTML parsing, fingerprinting) spread over the machine's cores."""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Generic, TypeVar

from flows import progress
from flows.priority import to_background

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a pool's start-up (a fresh interpreter per worker) costs more than it saves.
MIN_ITEMS = 200
# Items per map_cpu chunk at most: 100k fingerprints made 6.5k-article chunks, whose articles
# and results a worker holds at once (and its full collections walk); 512 keep IPC negligible.
MAX_CHUNK = 512
# Chunks out per worker in imap_cpu: one running, one queued, one on its way back.
IN_FLIGHT = 3
# Allocations between young collections in a worker (CPython's default is 700). The memos of
# parsers/ keep ~100k tracked tuples alive and churn them; measured on 6k benchmark seeds,
# 20k cut collection time from 6.7% to 4.4% of fingerprinting, the full ones from 10 to 1.
WORKER_GC_THRESHOLD = 20_000


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_cpu(
    fn: Callable[[T], R], items: Sequence[T], workers: int, most: int = MAX_CHUNK
) -> list[R]:
    """fn over items in order; in worker processes when the batch is large enough."""
    return list(imap_cpu(fn, items, workers, most))


def imap_cpu(
    fn: Callable[[T], R], items: Sequence[T], workers: int, most: int = MAX_CHUNK
) -> Iterator[R]:
    """fn over items, each result yielded in item order as it is ready.

    Workers are spawned, not forked: the flow process runs Prefect's threads, and forking a
    threaded process can copy a held lock into the child. Items are taken a chunk at a time
    and at most IN_FLIGHT chunks per worker are out: Executor.map submits every chunk at once,
    so a spooled night's articles all came back into memory to wait in its queue. `most`
    caps a chunk's items (big items, e.g. pages, want small chunks).
    """
    if workers <= 1 or len(items) < MIN_ITEMS:
        yield from _counted(fn(item) for item in items)
        return
    chunk = chunk_size(len(items), workers, most)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_collect_less) as pool:
        chunks = (list(items[start : start + chunk]) for start in range(0, len(items), chunk))
        first = itertools.islice(chunks, workers * IN_FLIGHT)
        out: deque[Future[list[R]]] = deque(pool.submit(map_chunk, fn, p) for p in first)
        while out:
            done = out.popleft().result()
            part = next(chunks, None)
            if part is not None:
                out.append(pool.submit(map_chunk, fn, part))
            yield from _counted(done)


def chunk_size(items: int, workers: int, most: int = MAX_CHUNK) -> int:
    """Items per map_cpu chunk: eight chunks a worker, at most `most` items each."""
    return max(1, min(most, items // (workers * 8)))


def _counted(results: Iterable[R]) -> Iterator[R]:
    """Pass results through, counting each in the active stage's progress."""
    for result in results:
        progress.advance()
        yield result


class Background(Generic[T, R]):
    """fn over items in one low-priority worker process, started now and collected later.

    For work whose inputs are known before a stage that leaves a core idle (fetching waits on
    the network and the GIL): the worker takes the idle cycles, `collect` takes what it
    finished, and the caller computes the rest with map_cpu.
    """

    def __init__(self, fn: Callable[[T], R], items: Sequence[T]) -> None:
        """Queue the items in small chunks, so collect never waits long on a started one.

        A feeder thread takes the chunks from items as the worker finishes them (a few ahead),
        so a spooled sequence is not read back into memory whole.
        """
        self._fn, self._items = fn, items
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[list[R]]] = []
        self._stop = threading.Event()
        self._wake = threading.Event()  # a chunk finished, or the feeding stops
        self._feeder: threading.Thread | None = None
        if len(items) >= MIN_ITEMS:
            self._pool = idle_worker(_lower_priority)
            starts = range(0, len(items), CHUNK)
            for start in starts[:AHEAD]:
                self._submit(start)
            self._feeder = threading.Thread(
                target=self._feed, args=(starts[AHEAD:],), name="background-feeder", daemon=True
            )
            self._feeder.start()

    def _submit(self, start: int) -> None:
        """Send the chunk starting at `start` to the worker."""
        assert self._pool is not None
        chunk = list(self._items[start : start + CHUNK])
        future = self._pool.submit(map_chunk, self._fn, chunk)
        future.add_done_callback(lambda _: self._wake.set())
        self._futures.append(future)

    def _feed(self, starts: range) -> None:
        """Keep AHEAD chunks queued until every chunk is sent or collect stops the feeding."""
        for start in starts:
            while True:
                self._wake.clear()  # before the checks: a chunk done after them wakes the wait
                if self._stop.is_set():
                    return
                if self._futures[-AHEAD].done():
                    break
                self._wake.wait()
            try:
                self._submit(start)
            except RuntimeError:  # the pool shut down under us (collect, close)
                return

    def collect(self) -> list[R]:
        """Results of the chunks the worker started, in item order; the others are dropped."""
        self._stop_feeding()
        started = [f for f in self._futures if not f.cancel()]
        done = [r for f in started for r in f.result()]
        self.close()
        # The futures hold their results: a caller that lets go of them frees them.
        self._futures = []
        return done

    def close(self) -> None:
        """Stop the worker; queued chunks are cancelled."""
        self._stop_feeding()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _stop_feeding(self) -> None:
        """Stop the feeder and wait for it, so the futures list no longer changes."""
        self._stop.set()
        self._wake.set()
        if self._feeder is not None:
            self._feeder.join()
            self._feeder = None

    def __enter__(self) -> Background[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Items per background chunk: small, so collect waits at most a few chunks' time.
CHUNK = 32
# Background chunks queued ahead of the worker.
AHEAD = 4


def idle_worker(start: Callable[[], None] | None) -> ProcessPoolExecutor:
    """One spawned worker process (see map_cpu), started with `start` (e.g. into idle time)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(1, mp_context=context, initializer=start)


def map_chunk(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """fn over one chunk, in the worker."""
    return [fn(item) for item in items]


def _collect_less() -> None:
    """Worker initializer: fewer garbage collections (see WORKER_GC_THRESHOLD)."""
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def _lower_priority() -> None:
    """Worker initializer: the stage running meanwhile keeps its CPU; this takes what is left."""
    _collect_less()
    to_background()
