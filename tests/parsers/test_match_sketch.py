"""MinHash nibbles: equal low nibbles bound the equal values from above, exactly when unique."""

from __future__ import annotations

import numpy as np
import pytest

from parsers import match_sketch
from parsers.match_sketch import to_equal_bound, to_nibbles, to_shared_bound, to_sketch


def test_equal_nibbles_are_never_fewer_than_equal_values() -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**40, size=(50, 128))
    # Copy a varying share of row 0 into the others: from no to all values in common.
    for row in range(1, 50):
        same = rng.random(128) < row / 49
        sigs[row, same] = sigs[0, same]
    xs, ys = np.zeros(50, dtype=np.int64), np.arange(50, dtype=np.int64)
    bound = to_equal_bound(to_nibbles(sigs), xs, ys)
    exact = (sigs[xs] == sigs[ys]).sum(axis=1)
    nibbles = ((sigs[xs] & 15) == (sigs[ys] & 15)).sum(axis=1)
    assert (bound >= exact).all()
    assert (bound == nibbles).all()
    assert bound[0] == 128


def test_values_differing_only_in_one_nibble_bit_are_unequal() -> None:
    sigs = np.zeros((5, 128), dtype=np.int64)
    for bit in range(4):
        sigs[bit + 1, bit * 32 : (bit + 1) * 32] = 1 << bit
    bound = to_equal_bound(to_nibbles(sigs), np.zeros(5, dtype=np.int64), np.arange(5))
    assert bound.tolist() == [128, 96, 96, 96, 96]


def test_chunked_bounds_equal_the_whole_array_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    sigs = rng.integers(0, 2**40, size=(40, 64))
    ptr = np.arange(0, 41 * 30, 30)
    sketch = to_sketch(ptr, rng.integers(0, 5000, size=40 * 30), rng.random(5000) * 5)
    xs, ys = rng.integers(0, 40, size=1000), rng.integers(0, 40, size=1000)
    nibbles = to_nibbles(sigs)
    whole = to_equal_bound(nibbles, xs, ys), to_shared_bound(sketch, xs, ys)
    # 7 pairs a chunk: many chunks and a short last one.
    monkeypatch.setattr(match_sketch, "CHUNK_PAIRS", 7)
    assert (to_equal_bound(nibbles, xs, ys) == whole[0]).all()
    assert (to_shared_bound(sketch, xs, ys) == whole[1]).all()
    diff = (sigs[xs] & 15) == (sigs[ys] & 15)
    assert (whole[0] == diff.sum(axis=1)).all()
    both = np.bitwise_count(sketch.bits[xs] & sketch.bits[ys]).sum(axis=1)
    k = np.minimum(both, match_sketch.TOP)
    exact = np.minimum(sketch.top[xs, k], sketch.top[ys, k])
    exact[both > match_sketch.TOP] = np.inf
    assert (whole[1] == exact).all()
