"""CPU-bound batch work (HTML parsing, fingerprinting) spread over the machine's cores."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

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
