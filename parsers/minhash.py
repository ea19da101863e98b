"""MinHash signatures over word 3-shingles: near-duplicates within one language.

A signature is bytes: its NUM_PERM values as little-endian uint64 (SIG_DTYPE), one object
of 8 * NUM_PERM bytes where a tuple of Python ints held ~2.3 KB per fingerprint.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

import numpy as np

NUM_PERM = 64
# Universal hashing h(x) = (a*x + b) mod p over 32-bit shingle hashes; p > 2**32 and
# a, b < 2**32 keep a*x + b inside uint64. Fixed seed: signatures are stored and compared
# across runs.
_PRIME = np.uint64(4294967311)
_RNG = np.random.default_rng(20240926)
_PERM_A = _RNG.integers(1, 2**32 - 1, size=NUM_PERM, dtype=np.uint64)
_PERM_B = _RNG.integers(0, 2**32 - 1, size=NUM_PERM, dtype=np.uint64)
# Each permutation's a and b repeated along a row, for blocks of up to _BLOCK shingles:
# numpy copies a broadcast (stride 0) operand into a buffer before its SIMD loops, which
# cost a third of the multiply-and-add (cachegrind, 770 shingles). 1 MB for the two.
_BLOCK = 1024
_PERM_A_ROWS = np.repeat(_PERM_A[:, None], _BLOCK, axis=1)
_PERM_B_ROWS = np.repeat(_PERM_B[:, None], _BLOCK, axis=1)
SIG_DTYPE = np.dtype("<u8")
EMPTY_SIG = np.full(NUM_PERM, 0xFFFFFFFF, dtype=SIG_DTYPE).tobytes()
# Odd multipliers that spread word hashes before they are combined into shingle hashes.
_MIX_1 = np.uint64(0x9E3779B1)
_MIX_2 = np.uint64(0x85EBCA77)
_MASK = np.uint64(0xFFFFFFFF)


# struct, not numpy, for one signature: 4 µs where np.array took 8 (64 values, stored rows).
def pack_signature(values: Iterable[int]) -> bytes:
    """A signature's bytes from its values (each in 0 .. 2**64 - 1)."""
    ints = list(values)
    return struct.pack(f"<{len(ints)}Q", *ints)


def unpack_signature(signature: bytes) -> list[int]:
    """A signature's values as Python ints, in permutation order."""
    return list(struct.unpack(f"<{len(signature) // SIG_DTYPE.itemsize}Q", signature))


def to_minhash(words: list[str]) -> bytes:
    """MinHash signature over word 3-shingles (stable crc32 hashes, fixed permutations).

    A shingle's hash combines its words' crc32 hashes in numpy, which is several times
    faster than hashing each shingle's string.
    """
    # crc32 once per distinct word, then a C-level lookup per running word.
    crc = {w: zlib.crc32(w.encode("utf-8")) for w in set(words)}
    return to_minhash_of_hashes(
        np.fromiter(map(crc.__getitem__, words), dtype=np.uint64, count=len(words))
    )


def to_minhash_of_hashes(word_hashes: np.ndarray) -> bytes:
    """to_minhash of words given as their crc32 hashes (uint64), in text order."""
    if not len(word_hashes):
        return EMPTY_SIG
    return _signature(word_hashes)


def _signature(word_hashes: np.ndarray) -> bytes:
    """Minimum of every permutation over the shingle hashes of these word hashes."""
    if len(word_hashes) < 3:
        hashes = word_hashes[:1]
    else:
        # Repeated shingles are not removed: they cannot change a minimum.
        hashes = (
            (word_hashes[:-2] * _MIX_1) ^ (word_hashes[1:-1] * _MIX_2) ^ word_hashes[2:]
        ) & _MASK
    minima = _block_minima(hashes[:_BLOCK])
    for start in range(_BLOCK, len(hashes), _BLOCK):
        np.minimum(minima, _block_minima(hashes[start : start + _BLOCK]), out=minima)
    return minima.astype(SIG_DTYPE, copy=False).tobytes()


def _block_minima(hashes: np.ndarray) -> np.ndarray:
    """Minimum of every permutation over at most _BLOCK shingle hashes."""
    # One row per permutation: the minimum runs along contiguous memory.
    width = len(hashes)
    values = np.multiply(_PERM_A_ROWS[:, :width], hashes)
    values += _PERM_B_ROWS[:, :width]
    # v - (v // p) * p is v % p; numpy divides by a scalar with a multiply (libdivide),
    # measured 4x faster than its uint64 remainder.
    quotients = values // _PRIME
    quotients *= _PRIME
    values -= quotients
    return values.min(axis=1)
