"""Blocks over threads (every block once, in order, a scratch each); the collector paused."""

from __future__ import annotations

import gc
import threading
import time

import numpy as np
import pytest

from parsers.match_threads import map_blocks, paused_gc, usable_cores


def _slow_first(block: np.ndarray, scratch: list[int]) -> list[int]:
    """The block's rows, later blocks finishing first; fails if the scratch is in use."""
    assert not scratch, "scratch shared by two blocks at once"
    scratch.append(threading.get_ident())
    time.sleep(0.002 * (10 - len(block) - int(block[0]) % 10))
    scratch.clear()
    return block.tolist()


def test_map_blocks_keeps_every_block_in_order() -> None:
    rows = np.arange(53, dtype=np.int64)
    for workers in (1, 2, 3):
        scratches: list[list[int]] = [[] for _ in range(workers)]
        out = list(map_blocks(_slow_first, rows, 5, scratches))
        assert [len(b) for b in out] == [5] * 10 + [3]
        assert [r for b in out for r in b] == rows.tolist()


def test_map_blocks_of_no_rows_is_empty() -> None:
    assert list(map_blocks(_slow_first, np.arange(0, dtype=np.int64), 4, [[], []])) == []


def test_usable_cores_is_at_least_one() -> None:
    assert usable_cores() >= 1


def test_paused_gc_stops_the_collector_until_the_last_pause_ends() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_gc_leaves_a_stopped_collector_stopped() -> None:
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_paused_gc_restarts_the_collector_after_an_error() -> None:
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("inside")
    assert gc.isenabled()
