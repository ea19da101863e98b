"""A bound on the common-anchor weight two articles share, from bitsets of hashed anchors.

Each common anchor sets one of SKETCH_BITS bits in its article's bitset. Two articles share
at most k = popcount(own & other) buckets, and the anchors they share lie in those buckets,
so their weight is at most that of either article's k heaviest buckets. Comparing 32 words
costs a fraction of gathering a pair's common anchors, and the bound is never below the
exact shared weight (up to summation order, which the filter's slack covers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from parsers.match_index import Floats, Ids, Ints

# 2048 bits: two articles of ~130 common anchors (German name bigrams on the 100k bench)
# meet in ~130²/2048 ≈ 8 buckets by chance, well under the threshold's weight. 1024 bits (more
# pairs left to gather) and 4096 (twice the words to compare) were both slower there.
SKETCH_BITS = 2048
# Heaviest buckets kept per article; more shared buckets than this bound by the whole mass.
TOP = 32
# Bucket weights are counted in units of 2**-QUANTUM (rounded up): exact integer sums.
_QUANTUM = 20
_WORDS = SKETCH_BITS // 64
# Rows sketched at a time: the chunk's temporaries are ~8 int64 arrays per occurrence
# (16384 rows: +282 MB over what was held at 100k; 4096: +186 MB, and no slower).
CHUNK_ROWS = 4096
# Pairs compared at once: their gathered words (2048 × 256 bytes) stay in a core's L2 cache,
# where whole-array temporaries went out to memory and took ~3x the time (measured).
CHUNK_PAIRS = 2048
_ONES = np.ones(_WORDS, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Sketch:
    """Per row: bitset of common-anchor buckets and the weight of its k heaviest buckets."""

    bits: npt.NDArray[np.uint64]
    # top[r, k] = weight of row r's k heaviest buckets, k = 0..TOP (cumulative), rounded up
    # to float32: still a bound, in half the memory (26 MB at 100k for two views).
    top: npt.NDArray[np.float32]


def to_buckets(anchors: Ids) -> Ints:
    """Bucket of each anchor id: a multiplicative hash, so related ids spread out."""
    # In int64 whatever the ids' type: int32 ids times the constant would overflow.
    return ((anchors.astype(np.int64) * 2654435761) >> 16) % SKETCH_BITS


def to_sketch(ptr: Ints, anchors: Ids, weights: Floats) -> Sketch:
    """Sketch of CSR rows of anchor ids (weights per anchor id); zero weights set no bit."""
    rows = len(ptr) - 1
    bits = np.zeros((rows, _WORDS), dtype=np.uint64)
    top = np.zeros((rows, TOP + 1), dtype=np.float32)
    # Chunks of rows: the temporaries are a few arrays per occurrence, ~1 GB at once on 100k.
    for start in range(0, rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, rows)
        lo, hi = int(ptr[start]), int(ptr[stop])
        row_of = np.repeat(np.arange(stop - start, dtype=np.int64), np.diff(ptr[start : stop + 1]))
        chunk = anchors[lo:hi]
        keep = weights[chunk] > 0
        sums = np.zeros((stop - start, TOP + 1), dtype=np.float64)
        _fill(bits[start:stop], sums, row_of[keep], chunk[keep], weights)
        top[start:stop] = _rounded_up(sums)
    return Sketch(bits=bits, top=top)


def _rounded_up(values: Floats) -> npt.NDArray[np.float32]:
    """The values as float32, each the nearest at or above it (a bound stays a bound)."""
    out = values.astype(np.float32)
    below = out < values
    out[below] = np.nextafter(out[below], np.float32(np.inf))
    return out


def _fill(
    bits: npt.NDArray[np.uint64], top: Floats, row_of: Ints, anchors: Ids, weights: Floats
) -> None:
    """Set the bits and the heaviest-bucket sums of one chunk of rows (row_of is chunk-local)."""
    if len(anchors) == 0:
        return
    cells = row_of * SKETCH_BITS + to_buckets(anchors)
    flat = bits.reshape(-1)
    np.bitwise_or.at(flat, cells >> 6, np.left_shift(np.uint64(1), (cells & 63).astype(np.uint64)))
    # Weights rounded up to multiples of 2**-QUANTUM ride in the sort key: one integer
    # sort instead of an argsort and a lexsort, sums stay exact and never below the true.
    units = np.ceil(weights[anchors] * 2.0**_QUANTUM).astype(np.int64)
    shift = _bit_length(int(units.max()))
    keys = np.sort((cells << shift) | units)
    cells = keys >> shift
    starts = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
    masses = np.add.reduceat(keys & ((1 << shift) - 1), starts)
    owner = cells[starts] // SKETCH_BITS
    # Heaviest first within a row: sort by (row, most - mass) as one integer.
    most = int(masses.max())
    shift = _bit_length(most)
    keys = np.sort((owner << shift) | (most - masses))
    owner, masses = keys >> shift, most - (keys & ((1 << shift) - 1))
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner, side="left")
    kept = rank < TOP
    top[owner[kept], rank[kept] + 1] = masses[kept]
    np.cumsum(top, axis=1, out=top)
    top /= 2.0**_QUANTUM


def _bit_length(value: int) -> int:
    """Bits a key field needs for values up to `value`; refuses what would overflow int64."""
    bits = max(1, value.bit_length())
    if bits > 34:
        raise ValueError(f"sketch key field of {bits} bits would overflow")
    return bits


def to_shared_bound(sketch: Sketch, xs: Ints, ys: Ints) -> Floats:
    """Upper bound on the common weight rows xs[k] and ys[k] share (inf past TOP buckets)."""
    both = np.empty(len(xs), dtype=np.int64)
    words = np.empty((CHUNK_PAIRS, _WORDS), dtype=np.uint64)
    mine = np.empty((CHUNK_PAIRS, _WORDS), dtype=np.uint64)
    counts = np.empty((CHUNK_PAIRS, _WORDS), dtype=np.uint8)
    for start in range(0, len(xs), CHUNK_PAIRS):
        stop = min(start + CHUNK_PAIRS, len(xs))
        size = stop - start
        np.take(sketch.bits, ys[start:stop], axis=0, out=words[:size])
        np.take(sketch.bits, xs[start:stop], axis=0, out=mine[:size])
        np.bitwise_and(words[:size], mine[:size], out=words[:size])
        np.bitwise_count(words[:size], out=counts[:size])
        # A float32 product sums the counts exactly (at most SKETCH_BITS) and fast.
        both[start:stop] = counts[:size].astype(np.float32) @ _ONES
    # Flat positions row * (TOP + 1) + k: one gather each, not a two-index fancy lookup.
    width = sketch.top.shape[1]
    cells = np.minimum(both, TOP)
    flat = sketch.top.reshape(-1)
    bound = np.minimum(flat[xs * width + cells], flat[ys * width + cells])
    bound[both > TOP] = np.inf
    return bound


def to_nibbles(minhash: Ints) -> npt.NDArray[np.uint64]:
    """Low 4 bits of each MinHash value, 16 to a word: an eighth of the bytes to compare."""
    rows, perm = minhash.shape
    if perm % 16:
        raise ValueError(f"{perm} MinHash values do not fill 64-bit words")
    # Value 16 * w + j of a row goes to bits 4j..4j+3 of its word w, one j at a time: the
    # whole-array temporaries were 3 x 51 MB at 100k, at to_corpus's peak then.
    nibbles = np.zeros((rows, perm // 16), dtype=np.uint64)
    for j in range(16):
        nibbles |= (minhash[:, j::16] & 15).astype(np.uint64) << np.uint64(4 * j)
    return nibbles


def to_equal_bound(nibbles: npt.NDArray[np.uint64], xs: Ints, ys: Ints) -> Ints:
    """Upper bound on the equal MinHash values of rows xs[k] and ys[k]: equal low nibbles."""
    words = nibbles.shape[1]
    unequal = np.empty(len(xs), dtype=np.int64)
    diff = np.empty((CHUNK_PAIRS, words), dtype=np.uint64)
    mine = np.empty((CHUNK_PAIRS, words), dtype=np.uint64)
    low = np.uint64(0x1111111111111111)
    for start in range(0, len(xs), CHUNK_PAIRS):
        stop = min(start + CHUNK_PAIRS, len(xs))
        size = stop - start
        part, other = diff[:size], mine[:size]
        np.take(nibbles, xs[start:stop], axis=0, out=part)
        np.take(nibbles, ys[start:stop], axis=0, out=other)
        part ^= other
        # A nibble of x ^ y is nonzero when any of its 4 bits is: fold them onto its low bit.
        np.right_shift(part, np.uint64(1), out=other)
        part |= other
        np.right_shift(part, np.uint64(2), out=other)
        part |= other
        part &= low
        unequal[start:stop] = np.bitwise_count(part).sum(axis=1, dtype=np.int64)
    return words * 16 - unequal
