"""Garbage collection in the flow process during a run: fewer passes, over new objects only."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from flows.parallel import WORKER_GC_THRESHOLD


@contextmanager
def run_collection() -> Iterator[None]:
    """Young collections as rare as the workers' inside; thresholds and frozen objects restored."""
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    gc.set_threshold(WORKER_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if frozen == 0:  # a run inside a frozen caller leaves its freeze alone
            gc.unfreeze()


def set_aside() -> None:
    """Keep every object alive now out of later collections, until the run ends.

    A night's records (articles, pages, fingerprints) live until the load and make no
    cycles; every full collection rescanned them all: 10 of them cost the flow process
    4.3 s at 10k seeds (measured with gc.callbacks). Objects set aside are still freed as
    soon as nothing refers to them; only cyclic garbage among them waits for the run's end.
    """
    gc.freeze()
