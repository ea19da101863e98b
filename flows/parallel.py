"""CPU-bound batch work (HTML parsing, fingerprinting) spread over the machine's cores."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Generic, TypeVar

from flows import progress

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a pool's start-up (a fresh interpreter per worker) costs more than it saves.
MIN_ITEMS = 200


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
    chunk = max(1, len(items) // (workers * 8))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(_counted(pool.map(fn, items, chunksize=chunk)))


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
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_lower_priority)
            self._futures = [self._pool.submit(_map, fn, chunk) for chunk in self._chunks]

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


def _map(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """fn over one chunk, in the worker."""
    return [fn(item) for item in items]


def _lower_priority() -> None:
    """Worker initializer: the stage running meanwhile keeps its CPU; this takes what is left."""
    with contextlib.suppress(OSError):
        os.nice(19)
