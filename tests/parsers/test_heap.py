"""Freed memory goes back to the system when released."""

from __future__ import annotations

import numpy as np
import pytest

from parsers import heap
from parsers.heap import release_freed


def _rss_mb() -> float:
    """This process's resident size now."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_freed_heap_arrays_stop_counting_once_released() -> None:
    if heap._TRIM is None:
        pytest.skip("this C library has no malloc_trim")
    # A freed 24 MB array raises glibc's mmap threshold past it, so the 16 MB arrays after
    # come from the heap; the small ones kept between them stop the heap's top shrinking.
    big = np.ones(24 << 20, dtype=np.uint8)
    del big
    held, freed = [], []
    for _ in range(8):
        freed.append(np.ones(16 << 20, dtype=np.uint8))
        held.append(np.ones(256 << 10, dtype=np.uint8))
    del freed
    before = _rss_mb()
    release_freed()
    # 128 MB were freed; most of it must leave the resident size.
    assert before - _rss_mb() > 96
    assert len(held) == 8
