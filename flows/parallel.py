"""CPU-bound batch work (HTML parsing, fingerprinting) spread over the machine's cores."""

from __future__ import annotations

import gc
import multiprocessing
import os
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
# Allocations between young collections in a worker (CPython's default is 700). The memos of
# parsers/ keep ~100k tracked tuples alive and churn them; measured on 6k benchmark seeds,
# 20k cut collection time from 6.7% to 4.4% of fingerprinting, the full ones from 10 to 1.
WORKER_GC_THRESHOLD = 20_000


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_cpu(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """fn over items in order; in worker processes when the batch is large enough.

    Workers are spawned, not forked: the flow process runs Prefect's threads, and forking a
    threaded process can copy a held lock into the child.
    """
    if workers <= 1 or len(items) < MIN_ITEMS:
        return list(_counted(fn(item) for item in items))
    chunk = chunk_size(len(items), workers)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_collect_less) as pool:
        return list(_counted(pool.map(fn, items, chunksize=chunk)))


def chunk_size(items: int, workers: int) -> int:
    """Items per map_cpu chunk: eight chunks a worker, at most MAX_CHUNK items each."""
    return max(1, min(MAX_CHUNK, items // (workers * 8)))


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
        """Queue the items in small chunks, so collect never waits long on a started one."""
        self._chunks = [list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[list[R]]] = []
        if len(items) >= MIN_ITEMS:
            self._pool = idle_worker(_lower_priority)
            self._futures = [self._pool.submit(map_chunk, fn, chunk) for chunk in self._chunks]

    def collect(self) -> list[R]:
        """Results of the chunks the worker started, in item order; the others are dropped."""
        started = [f for f in self._futures if not f.cancel()]
        done = [r for f in started for r in f.result()]
        self.close()
        return done

    def close(self) -> None:
        """Stop the worker; queued chunks are cancelled."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Background[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Items per background chunk: small, so collect waits at most a few chunks' time.
CHUNK = 32


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
