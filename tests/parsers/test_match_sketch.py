"""MinHash nibbles: equal low nibbles bound the equal values from above, exactly when unique."""

from __future__ import annotations

import numpy as np

from parsers.match_sketch import to_equal_bound, to_nibbles


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
