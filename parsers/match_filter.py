"""Candidates and a bound on the match score for a block of articles against all, as arrays.

The bound is parsers.matching._upper_bound's (shared anchor weight over pivoted norms, or
MinHash within one language) computed for all candidates of a block of articles at once:
shared weight of rare anchors exactly through their postings, of common anchors first bounded
by the smaller common mass and a bitset sketch (parsers.match_sketch), and gathered only where
that could matter. Sums run in another order than Python's, so the filter keeps a slack; the
scalar bound and score decide after it.
"""

from __future__ import annotations

from concurrent.futures import Executor
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
    to_spans,
    to_unique,
)
from parsers.match_sketch import Sketch, to_equal_bound, to_nibbles, to_shared_bound, to_sketch
from parsers.match_threads import to_executor

SLACK = 1e-6
# Anchors on at most this many articles have their shared weight summed through postings;
# above, the posting walk costs more than gathering the few pairs a mass bound leaves.
EXACT_POSTING = 200
# Rows matched together: fewer, larger array operations; the work arrays hold block × rows.
MAX_BLOCK = 256
BLOCK_CELLS = 4_000_000
# In two threads, blocks of 4M cells spent the gain on GIL hand-offs between many small array
# calls (100k: 64.7 s wall vs 62.5 s in one thread); 12M cells per thread took 56.4 s.
THREADED_BLOCK_CELLS = 12_000_000


@dataclass(frozen=True, slots=True)
class MatchArrays:
    """Weights, masses and query anchors as arrays; view 0 is same-script, 1 cross-script."""

    weights: Floats
    view_weights: tuple[Floats, Floats]
    masses: tuple[Floats, Floats]
    common_masses: tuple[Floats, Floats]
    # CSR per row: rare anchors walked through postings besides the queried ones (rest),
    # common anchors sketched and gathered, queried anchors (walked for candidates and sums).
    # The *_after arrays give, per occurrence, where the later rows start in its posting.
    rest_ptr: Ints
    rest_occ: Ints
    rest_after: Ints
    # Common anchors by a compact id of their own, with their view weights.
    common_ptr: Ints
    common_occ: npt.NDArray[np.int32]
    common_weights: tuple[Floats, Floats]
    # Bitset sketches of the common anchors per view (one object twice for a single script).
    sketches: tuple[Sketch, Sketch]
    query_ptr: Ints
    query_occ: Ints
    query_after: Ints
    # CSR per row: every anchor on 2..max_posting articles, the ones other rows may query;
    # askable_after: where the later rows start in the anchor's asked_rows.
    askable_ptr: Ints
    askable_occ: Ints
    askable_after: Ints
    # CSR per anchor id: the rows that query it, once per occurrence, ascending (to_askers).
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
    sums: Floats
    mark: Ints
    dense: Floats

    @classmethod
    def for_index(
        cls, index: MatchIndex, arrays: MatchArrays, most: int = MAX_BLOCK, threaded: bool = False
    ) -> Scratch:
        """Scratch for blocks of as many rows as keep each array near BLOCK_CELLS cells."""
        rows, common = len(index.ids), len(arrays.common_weights[0])
        cells = THREADED_BLOCK_CELLS if threaded else BLOCK_CELLS
        block = max(1, min(most, cells // max(rows, common, 1)))
        return cls(
            block=block,
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
    index: MatchIndex, weights: Floats, max_posting: int, query_anchors: int, workers: int = 1
) -> MatchArrays:
    """Arrays for one corpus: view weights and masses, per-row anchor classes, query anchors.

    With workers > 1 the sketches (sorts, GIL-free) run in threads.
    """
    with to_executor(workers) as pool:
        return _to_match_arrays(index, weights, max_posting, query_anchors, pool)


def _to_match_arrays(
    index: MatchIndex, weights: Floats, max_posting: int, query_anchors: int, pool: Executor
) -> MatchArrays:
    """to_match_arrays with its independent parts submitted to `pool`."""
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
    same_script = pool.submit(to_sketch, common_ptr, common_anchors, view_weights[0])
    mixed = bool(index.cyrillic.any() and not index.cyrillic.all())
    cross_script = (
        pool.submit(to_sketch, common_ptr, common_anchors, view_weights[1])
        if mixed
        else same_script
    )
    # Rarest first: a stable sort by row, then by negated weight keeps tuple order on ties,
    # as sorted(key=-weight) does per article.
    eligible = np.flatnonzero((df > 1) & (df <= max_posting))
    order = eligible[np.lexsort((-weights[occ[eligible]], row_of[eligible]))]
    order_rows = row_of[order]
    starts = np.searchsorted(order_rows, order_rows, side="left")
    query = np.zeros(len(occ), dtype=bool)
    query[order[np.arange(len(order)) - starts < query_anchors]] = True
    queried = order[query[order]]
    query_ptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[queried], minlength=rows), out=query_ptr[1:])
    # Queried anchors are walked for candidates anyway; their hits also give their weight.
    query_occ = occ[queried]
    query_rows = np.repeat(np.arange(rows, dtype=np.int64), np.diff(query_ptr))
    asked_ptr, asked_order = to_groups(query_occ, len(index.df))
    asked_rows = query_rows[asked_order]
    rest = (df > 1) & (df <= EXACT_POSTING) & ~query
    rest_ptr, rest_occ = _to_csr(row_of, rest, occ, rows)
    askable = (df > 1) & (df <= max_posting)
    askable_ptr, askable_occ = _to_csr(row_of, askable, occ, rows)
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
        rest_after=index.post_after[rest],
        common_ptr=common_ptr,
        common_occ=common_occ,
        common_weights=(view_weights[0][common_ids], view_weights[1][common_ids]),
        sketches=(same_script.result(), cross_script.result()),
        query_ptr=query_ptr,
        query_occ=query_occ,
        query_after=index.post_after[queried],
        askable_ptr=askable_ptr,
        askable_occ=askable_occ,
        askable_after=to_asked_after(index.post_after, queried, askable),
        asked_ptr=asked_ptr,
        asked_rows=asked_rows,
        minhash_nibbles=to_nibbles(index.minhash),
        band_partners=band_partners,
        hash_partners=np.diff(index.hash_ptr)[index.hash_group] > 1,
    )


def to_asked_after(post_after: Ints, queried: Ints, askable: Bools) -> Ints:
    """Per askable occurrence: where the rows after its row start in its anchor's asked_rows.

    Counted, not searched (a search per occurrence took ~5 CPU-s at 100k): asked_rows lists
    the queried occurrences by anchor, then row, so the ones at or before an occurrence's row
    in its anchor, and all of the anchors before, are those whose run in the postings ends no
    later than its own (index.post_after).
    """
    ends = np.bincount(post_after[queried], minlength=len(post_after) + 1)
    return np.cumsum(ends)[post_after[askable]]


def to_holders(
    index: MatchIndex, ptr: Ints, occ: Ints, rows: Ints, after: Ints | None = None
) -> tuple[Ints, Ints]:
    """The anchor of each holder of a block row's CSR anchors, and (position in rows) * N + row.

    With `after` (the CSR's *_after array), only the holders after the block row: in turns
    by row, a pair is met from its lower row's turn only.
    """
    anchors = to_slices(ptr, occ, rows)
    local = np.repeat(np.arange(len(rows), dtype=np.int64), ptr[rows + 1] - ptr[rows])
    starts = index.post_ptr[anchors] if after is None else to_slices(ptr, after, rows)
    sizes = index.post_ptr[anchors + 1] - starts
    holders = np.repeat(local * len(index.ids), sizes)
    holders += to_spans(index.post_rows, starts, sizes)
    return np.repeat(anchors, sizes), holders


def to_askers(index: MatchIndex, arrays: MatchArrays, rows: Ints, turns: int) -> Ints:
    """(position in rows) * N + row of each later row below `turns` querying a block row's anchor.

    Once per (asking occurrence, held occurrence), as the asker's own walk counts the pair.
    """
    n, ptr = len(index.ids), arrays.askable_ptr
    anchors = to_slices(ptr, arrays.askable_occ, rows)
    starts = to_slices(ptr, arrays.askable_after, rows)
    sizes = arrays.asked_ptr[anchors + 1] - starts
    local = np.repeat(np.arange(len(rows), dtype=np.int64), ptr[rows + 1] - ptr[rows])
    askers = to_spans(arrays.asked_rows, starts, sizes)
    keys = np.repeat(local * n, sizes) + askers
    return keys[askers < turns]


def _to_counted(keys: Ints, min_shared: int) -> Ints:
    """The keys that occur at least min_shared times, ascending, some more than once."""
    # A sort of the block's keys, not counts in a dense array: np.add.at holds the GIL
    # (threads took turns on it) and its three passes went to memory; the sort stays in cache.
    ordered = np.sort(keys)
    span = max(1, min_shared) - 1
    head = ordered[: len(ordered) - span]
    # A key occurs min_shared times where the key span places on is the same.
    return head[head == ordered[span:]]


def candidate_pairs(
    index: MatchIndex,
    arrays: MatchArrays,
    rows: Ints,
    scratch: Scratch,
    min_shared: int,
    hits: Ints | None = None,
    turns: int | None = None,
) -> tuple[Ints, Ints]:
    """(position in rows, other row) pairs: min_shared query anchors, an LSH group, a hash.

    `hits` are the query anchors' holders (to_holders, walked the same way) when the caller
    has them already. With `turns`, rows 0..turns-1 take turns in row order and each pair is
    proposed once, from its lower row's turn, with the rows after it only: there the other
    row's query anchors are counted too, as either side's proposal makes a candidate.
    """
    n = len(index.ids)
    local = np.arange(len(rows), dtype=np.int64)
    if hits is None:
        after = None if turns is None else arrays.query_after
        _, hits = to_holders(index, arrays.query_ptr, arrays.query_occ, rows, after)
    found = [_to_counted(hits, min_shared)]
    if turns is not None:
        found.append(_to_counted(to_askers(index, arrays, rows, turns), min_shared))
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
    # Band and hash groups are symmetric: with turns, met from the lower row's turn too.
    apart = others != rows[mine] if turns is None else others > rows[mine]
    return mine[apart], others[apart]


def survivor_pairs(
    index: MatchIndex,
    arrays: MatchArrays,
    rows: Ints,
    scratch: Scratch,
    floor: float,
    threshold: float,
    min_shared: int,
    turns: int | None = None,
) -> tuple[Ints, Ints]:
    """Candidate pairs (row, other) of a block of rows whose bound may reach threshold.

    With `turns`, as candidate_pairs: each pair once, from its lower row (below turns).
    """
    ordered = turns is not None
    query_after = arrays.query_after if ordered else None
    query = to_holders(index, arrays.query_ptr, arrays.query_occ, rows, query_after)
    mine, others = candidate_pairs(index, arrays, rows, scratch, min_shared, query[1], turns)
    if len(others) == 0:
        return others, others
    n, common_n = len(index.ids), len(arrays.common_weights[0])
    local = np.arange(len(rows), dtype=np.int64)
    row_of = rows[mine]
    keep = (index.hash_group[others] == index.hash_group[row_of]) | index.repeats[others]
    keep |= index.repeats[row_of]
    low = threshold - SLACK
    rest_after = arrays.rest_after if ordered else None
    walks = query, to_holders(index, arrays.rest_ptr, arrays.rest_occ, rows, rest_after)
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
        # Zero weights (skeletons within one script, names across) would add nothing.
        summed = []
        for held, holders in walks:
            hit_weights = weights[held]
            weighed = hit_weights != 0.0
            summed.append(holders[weighed])
            np.add.at(scratch.sums, summed[-1], hit_weights[weighed])
        shared = scratch.sums[pair_keys[part]]
        for holders in summed:
            scratch.sums[holders] = 0.0
        js, is_ = others[part], row_of[part]
        masses, common_mass = arrays.masses[view], arrays.common_masses[view]
        norm = np.sqrt(np.maximum(masses[js], floor) * np.maximum(masses[is_], floor))
        norm[norm == 0] = np.inf
        common_bound = np.minimum(common_mass[js], common_mass[is_])
        # The sketch only lowers the bound: pairs already below with the whole common mass
        # need not be compared (a fifth of the candidates on 30k of the 100k bench).
        maybe = np.flatnonzero((shared + common_bound) / norm >= low)
        common_bound[maybe] = np.minimum(
            common_bound[maybe], to_shared_bound(arrays.sketches[view], is_[maybe], js[maybe])
        )
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
