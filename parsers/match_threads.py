"""Blocks of rows mapped over a few threads, each with scratch of its own, results in order.

Matching's block work is mostly numpy, which releases the GIL, so a second thread keeps a
second core busy without a process (the flow runs Prefect threads: no fork) or a copy of
the index.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from parsers.match_index import Ints

S = TypeVar("S")
R = TypeVar("R")

# Pauses of the cyclic collector in force (nested or from other threads), and whether it ran
# before the first of them.
_PAUSES = threading.Lock()
_paused = [0, False]


def usable_cores() -> int:
    """Cores this process may run on (its affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def map_blocks(
    work: Callable[[Ints, S], R], rows: Ints, block: int, scratches: Sequence[S]
) -> Iterator[R]:
    """work(rows[k:k + block], scratch) for consecutive blocks, in block order.

    One thread per scratch; a scratch is used by one block at a time.
    """
    starts = range(0, len(rows), block)
    if len(scratches) <= 1:
        for start in starts:
            yield work(rows[start : start + block], scratches[0])
        return
    free: queue.SimpleQueue[S] = queue.SimpleQueue()
    for scratch in scratches:
        free.put(scratch)

    def run(start: int) -> R:
        """One block with whichever scratch is free (one per thread, so one always is)."""
        scratch = free.get()
        try:
            return work(rows[start : start + block], scratch)
        finally:
            free.put(scratch)

    with ThreadPoolExecutor(max_workers=len(scratches)) as pool:
        yield from pool.map(run, starts)


class InlineExecutor(Executor):
    """An executor that runs each call at once in the caller's thread (one core)."""

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        """fn(*args, **kwargs) now, as a finished future."""
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def to_executor(workers: int) -> Executor:
    """Threads for independent array work, or the caller's own thread when workers <= 1."""
    return ThreadPoolExecutor(max_workers=workers) if workers > 1 else InlineExecutor()


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside; the collector's state is back after the last pause.

    Matching allocates a few hundred thousand containers (edges, groups, members) and makes no
    cycles to speak of; each full collection scans every live object, and at 100k they took
    ~2 of assign_stories' ~5.5 CPU-s (measured).
    """
    with _PAUSES:
        if _paused[0] == 0:
            _paused[1] = gc.isenabled()
            gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _PAUSES:
            _paused[0] -= 1
            if _paused[0] == 0 and _paused[1]:
                gc.enable()
