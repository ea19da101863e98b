"""Candidates and a bound on the match score for a block of articles against all, as arrays.

The bound is parsers.matching._upper_bound's (shared anchor weight over pivoted norms, or
MinHash within one language) computed for all candidates of a block of articles at once:
shared weight of rare anchors exactly through their postings, of common anchors first bounded
by the smaller common mass and a bitset sketch (parsers.match_sketch), and gathered only where
that could matter. Sums run in another order than Python's, so the filter keeps a slack; the
scalar bound and score decide after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from parsers.match_index import (
    Bools,
    Floats,
    Ints,
    MatchIndex,
    to_groups,
    to_row_sums,
    to_slices,
    to_unique,
)
from parsers.match_sketch import Sketch, to_equal_bound, to_nibbles, to_shared_bound, to_sketch

SLACK = 1e-6
# Anchors on at most this many articles have their shared weight summed through postings;
# above, the posting walk costs more than gathering the few pairs a mass bound leaves.
EXACT_POSTING = 200
# Rows matched together: fewer, larger array operations; the work arrays hold block × rows.
MAX_BLOCK = 256
BLOCK_CELLS = 4_000_000


@dataclass(frozen=True, slots=True)
class MatchArrays:
    """Weights, masses and query anchors as arrays; view 0 is same-script, 1 cross-script."""

    weights: Floats
    view_weights: tuple[Floats, Floats]
    masses: tuple[Floats, Floats]
    common_masses: tuple[Floats, Floats]
    # CSR per row: rare anchors walked through postings besides the queried ones (rest),
    # common anchors sketched and gathered, queried anchors (walked for candidates and sums).
    rest_ptr: Ints
    rest_occ: Ints
    # Common anchors by a compact id of their own, with their view weights.
    common_ptr: Ints
    common_occ: npt.NDArray[np.int32]
    common_weights: tuple[Floats, Floats]
    # Bitset sketches of the common anchors per view (one object twice for a single script).
    sketches: tuple[Sketch, Sketch]
    query_ptr: Ints
    query_occ: Ints
    # CSR per anchor id: the rows that query it, once per occurrence (to_askers).
    asked_ptr: Ints
    asked_rows: Ints
    # Low nibble of each MinHash value, packed (to_nibbles): a sixteenth of the memory.
    minhash_nibbles: npt.NDArray[np.uint64]
    # Rows with another row in one of their LSH groups or content-hash group.
    band_partners: Bools
    hash_partners: Bools


@dataclass(frozen=True, slots=True)
class Scratch:
    """Work arrays for a block of rows against all rows, zero between blocks."""

    block: int
    counts: Ints
    sums: Floats
    mark: Ints
    dense: Floats

    @classmethod
    def for_index(cls, index: MatchIndex, arrays: MatchArrays, most: int = MAX_BLOCK) -> Scratch:
        """Scratch for blocks of as many rows as keep each array near BLOCK_CELLS cells."""
        rows, common = len(index.ids), len(arrays.common_weights[0])
        block = max(1, min(most, BLOCK_CELLS // max(rows, common, 1)))
        return cls(
            block=block,
            counts=np.zeros(block * rows, dtype=np.int64),
            sums=np.zeros(block * rows, dtype=np.float64),
            mark=np.zeros(block * rows, dtype=np.int64),
            dense=np.zeros(block * common, dtype=np.float64),
        )


def _to_csr(row_of: Ints, keep: Bools, values: Ints, rows: int) -> tuple[Ints, Ints]:
    """CSR of values[keep], grouped by row_of (already in row order)."""
    ptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[keep], minlength=rows), out=ptr[1:])
    return ptr, values[keep]


def to_match_arrays(
    index: MatchIndex, weights: Floats, max_posting: int, query_anchors: int
) -> MatchArrays:
    """Arrays for one corpus: view weights and masses, per-row anchor classes, query anchors."""
    rows = len(index.ids)
    kinds = np.array(index.kinds, dtype=object)
    view_weights = (
        np.where(kinds == "ns", 0.0, weights).astype(np.float64),
        np.where(kinds == "nm", 0.0, weights).astype(np.float64),
    )
    occ, df = index.occ, index.df[index.occ]
    row_of = np.repeat(np.arange(rows, dtype=np.int64), np.diff(index.ptr))
    common_ptr, common_anchors = _to_csr(row_of, df > EXACT_POSTING, occ, rows)
    # Compact ids in anchor-id order, as np.unique's inverse gives, without sorting 10M+ ids.
    is_common = index.df > EXACT_POSTING
    common_ids = np.flatnonzero(is_common)
    # int32: the common vocabulary is small, and this array is kept for the whole run.
    common_occ = (np.cumsum(is_common) - 1).astype(np.int32)[common_anchors]
    same_script = to_sketch(common_ptr, common_anchors, view_weights[0])
    mixed = bool(index.cyrillic.any() and not index.cyrillic.all())
    cross_script = to_sketch(common_ptr, common_anchors, view_weights[1]) if mixed else same_script
    # Rarest first: a stable sort by row, then by negated weight keeps tuple order on ties,
    # as sorted(key=-weight) does per article.
    eligible = np.flatnonzero((df > 1) & (df <= max_posting))
    order = eligible[np.lexsort((-weights[occ[eligible]], row_of[eligible]))]
    order_rows = row_of[order]
    starts = np.searchsorted(order_rows, order_rows, side="left")
    query = np.zeros(len(occ), dtype=bool)
    query[order[np.arange(len(order)) - starts < query_anchors]] = True
    query_ptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[order[query[order]]], minlength=rows), out=query_ptr[1:])
    # Queried anchors are walked for candidates anyway; their hits also give their weight.
    query_occ = occ[order[query[order]]]
    query_rows = np.repeat(np.arange(rows, dtype=np.int64), np.diff(query_ptr))
    asked_ptr, asked_order = to_groups(query_occ, len(index.df))
    rest_ptr, rest_occ = _to_csr(row_of, (df > 1) & (df <= EXACT_POSTING) & ~query, occ, rows)
    # Unbanded rows hold group -1, which reads the appended size 0.
    band_sizes = np.append(np.diff(index.band_ptr), 0)
    band_partners = np.asarray((band_sizes[index.band_group] > 1).any(axis=1), dtype=bool)
    return MatchArrays(
        weights=weights,
        view_weights=view_weights,
        masses=(
            to_row_sums(index.ptr, view_weights[0][occ], rows),
            to_row_sums(index.ptr, view_weights[1][occ], rows),
        ),
        common_masses=(
            to_row_sums(common_ptr, view_weights[0][common_anchors], rows),
            to_row_sums(common_ptr, view_weights[1][common_anchors], rows),
        ),
        rest_ptr=rest_ptr,
        rest_occ=rest_occ,
        common_ptr=common_ptr,
        common_occ=common_occ,
        common_weights=(view_weights[0][common_ids], view_weights[1][common_ids]),
        sketches=(same_script, cross_script),
        query_ptr=query_ptr,
        query_occ=query_occ,
        asked_ptr=asked_ptr,
        asked_rows=query_rows[asked_order],
        minhash_nibbles=to_nibbles(index.minhash),
        band_partners=band_partners,
        hash_partners=np.diff(index.hash_ptr)[index.hash_group] > 1,
    )


def to_holders(index: MatchIndex, ptr: Ints, occ: Ints, rows: Ints) -> tuple[Ints, Ints]:
    """The CSR anchors of a block of rows, and (position in rows) * N + row of each holder."""
    anchors = to_slices(ptr, occ, rows)
    local = np.repeat(np.arange(len(rows), dtype=np.int64), ptr[rows + 1] - ptr[rows])
    holders = np.repeat(local, index.df[anchors]) * len(index.ids)
    holders += to_slices(index.post_ptr, index.post_rows, anchors)
    return anchors, holders


def to_askers(index: MatchIndex, arrays: MatchArrays, rows: Ints) -> Ints:
    """(position in rows) * N + row of each row querying an anchor of a block row, per occurrence.

    A row queries only anchors on 2..max_posting articles, all in a block row's query or rest
    anchors while max_posting <= EXACT_POSTING; otherwise some are missed (never extra).
    """
    n, local = len(index.ids), np.arange(len(rows), dtype=np.int64)
    keys = []
    for ptr, occ in ((arrays.query_ptr, arrays.query_occ), (arrays.rest_ptr, arrays.rest_occ)):
        anchors = to_slices(ptr, occ, rows)
        owner = np.repeat(local, ptr[rows + 1] - ptr[rows])
        sizes = arrays.asked_ptr[anchors + 1] - arrays.asked_ptr[anchors]
        found = np.repeat(owner * n, sizes)
        found += to_slices(arrays.asked_ptr, arrays.asked_rows, anchors)
        keys.append(found)
    return np.concatenate(keys)


def candidate_pairs(
    index: MatchIndex,
    arrays: MatchArrays,
    rows: Ints,
    scratch: Scratch,
    min_shared: int,
    hits: Ints | None = None,
    rank: Ints | None = None,
) -> tuple[Ints, Ints]:
    """(position in rows, other row) pairs: min_shared query anchors, an LSH group, a hash.

    `hits` are the query anchors' holders (to_holders) when the caller has them already.
    With `rank` (each row's turn; rows not matched rank past all), a pair is left out when
    the other row's turn came first and it had this row as a candidate: met once, not twice.
    """
    n = len(index.ids)
    local = np.arange(len(rows), dtype=np.int64)
    if hits is None:
        _, hits = to_holders(index, arrays.query_ptr, arrays.query_occ, rows)
    np.add.at(scratch.counts, hits, 1)
    found = [hits[scratch.counts[hits] >= min_shared]]
    scratch.counts[hits] = 0
    banded = local[arrays.band_partners[rows]]
    if len(banded):
        groups = index.band_group[rows[banded]].reshape(-1)
        sizes = index.band_ptr[groups + 1] - index.band_ptr[groups]
        members = to_slices(index.band_ptr, index.band_rows, groups)
        found.append(np.repeat(np.repeat(banded, index.band_group.shape[1]), sizes) * n + members)
    hashed = local[arrays.hash_partners[rows]]
    if len(hashed):
        groups = index.hash_group[rows[hashed]]
        sizes = index.hash_ptr[groups + 1] - index.hash_ptr[groups]
        members = to_slices(index.hash_ptr, index.hash_rows, groups)
        found.append(np.repeat(hashed, sizes) * n + members)
    keys = to_unique(np.concatenate(found), scratch.mark)
    mine, others = keys // n, keys % n
    apart = others != rows[mine]
    if rank is not None:
        # Band and hash groups are symmetric; query anchors are counted from the other side.
        askers = to_askers(index, arrays, rows)
        np.add.at(scratch.counts, askers, 1)
        grouped = np.concatenate(found[1:]) if len(found) > 1 else askers[:0]
        scratch.counts[grouped] = min_shared
        met = (rank[others] < rank[rows[mine]]) & (scratch.counts[keys] >= min_shared)
        scratch.counts[askers] = 0
        scratch.counts[grouped] = 0
        apart &= ~met
    return mine[apart], others[apart]


def survivor_pairs(
    index: MatchIndex,
    arrays: MatchArrays,
    rows: Ints,
    scratch: Scratch,
    floor: float,
    threshold: float,
    min_shared: int,
    rank: Ints | None = None,
) -> tuple[Ints, Ints]:
    """Candidate pairs (row, other) of a block of rows whose bound may reach threshold."""
    query, hits = to_holders(index, arrays.query_ptr, arrays.query_occ, rows)
    mine, others = candidate_pairs(index, arrays, rows, scratch, min_shared, hits, rank)
    if len(others) == 0:
        return others, others
    n, common_n = len(index.ids), len(arrays.common_weights[0])
    local = np.arange(len(rows), dtype=np.int64)
    row_of = rows[mine]
    keep = (index.hash_group[others] == index.hash_group[row_of]) | index.repeats[others]
    keep |= index.repeats[row_of]
    low = threshold - SLACK
    walks = (query, hits), to_holders(index, arrays.rest_ptr, arrays.rest_occ, rows)
    pair_keys = mine * n + others
    cross = index.cyrillic[others] != index.cyrillic[row_of]
    mh_pairs = (
        index.has_tokens[others]
        & index.has_tokens[row_of]
        & (index.lang[others] == index.lang[row_of])
    )
    common = to_slices(arrays.common_ptr, arrays.common_occ, rows)
    common_local = np.repeat(local, arrays.common_ptr[rows + 1] - arrays.common_ptr[rows])
    common_keys = common_local * common_n + common
    for view in (0, 1):
        part = np.flatnonzero(cross == bool(view))
        if len(part) == 0:
            continue
        weights = arrays.view_weights[view]
        for anchors, holders in walks:
            np.add.at(scratch.sums, holders, np.repeat(weights[anchors], index.df[anchors]))
        shared = scratch.sums[pair_keys[part]]
        for _, holders in walks:
            scratch.sums[holders] = 0.0
        js, is_ = others[part], row_of[part]
        masses, common_mass = arrays.masses[view], arrays.common_masses[view]
        norm = np.sqrt(np.maximum(masses[js], floor) * np.maximum(masses[is_], floor))
        norm[norm == 0] = np.inf
        common_bound = np.minimum(common_mass[js], common_mass[is_])
        np.minimum(common_bound, to_shared_bound(arrays.sketches[view], is_, js), out=common_bound)
        bound = (shared + common_bound) / norm
        close = np.flatnonzero(bound >= low)
        anchored = np.zeros(len(part), dtype=bool)
        if len(close):
            scratch.dense[common_keys] = arrays.common_weights[view][common]
            near = js[close]
            lens = arrays.common_ptr[near + 1] - arrays.common_ptr[near]
            cells = np.repeat(mine[part[close]] * common_n, lens)
            cells += to_slices(arrays.common_ptr, arrays.common_occ, near)
            # reduceat over the non-empty segments only: it reads an empty one as one value.
            filled = lens > 0
            extra = np.zeros(len(close), dtype=np.float64)
            if len(cells):
                starts = (np.cumsum(lens) - lens)[filled]
                extra[filled] = np.add.reduceat(scratch.dense[cells], starts)
            scratch.dense[common_keys] = 0.0
            anchored[close] = (shared[close] + extra) / norm[close] >= low
        keep[part] |= anchored
        rest = part[~anchored & mh_pairs[part]]
        if len(rest):
            # Low nibbles only: they can match where the values do not, never the reverse.
            same = to_equal_bound(arrays.minhash_nibbles, others[rest], row_of[rest])
            keep[rest[same / index.minhash.shape[1] >= low]] = True
    return row_of[keep], others[keep]
