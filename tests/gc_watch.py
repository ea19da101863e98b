"""Counting the garbage collections that start while a block runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collections_started() -> Iterator[list[int]]:
    """A list that gains a collection's generation each time one starts inside the block."""
    starts: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        """Note each collection that starts."""
        if phase == "start":
            starts.append(info["generation"])

    gc.collect()  # what is pending now must not start a collection inside
    gc.callbacks.append(record)
    try:
        yield starts
    finally:
        gc.callbacks.remove(record)
