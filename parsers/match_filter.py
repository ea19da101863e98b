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
    Ids,
    Ints,
    MatchIndex,
    renumber,
    row_chunks,
    to_groups,
    to_row_sums,
    to_rows_at,
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
# 6M since the night spools its articles: the two threads' scratch was the match stage's peak
# at 100k (content_edges +910 MB over its fingerprints with 12M, +776 MB with 6M and the
# sketch's smaller chunks), for ~3 s more of its ~25 (the 100k benchmark's fingerprints).
# 4M once the index shrank: the blocks were its peak again (+89 MB over what was held at
# 100k; +43 with 4M), for ~3 s more.
THREADED_BLOCK_CELLS = 4_000_000


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
    rest_occ: Ids
    rest_after: Ids
    # Common anchors by a compact id of their own (common_of: per anchor id, -1 for the
    # others), with their view weights; common_ptr places a row's among all rows' (to_common).
    common_ptr: Ints
    common_of: npt.NDArray[np.int32]
    common_weights: tuple[Floats, Floats]
    # Bitset sketches of the common anchors per view (one object twice for a single script).
    sketches: tuple[Sketch, Sketch]
    query_ptr: Ints
    query_occ: Ids
    query_after: Ids
    # CSR per row: every anchor on 2..max_posting articles, the ones other rows may query;
    # askable_after: where the later rows start in the anchor's asked_rows.
    askable_ptr: Ints
    askable_occ: Ids
    askable_after: Ids
    # CSR per anchor id: the rows that query it, once per occurrence, ascending (to_askers).
    asked_ptr: Ints
    asked_rows: Ids
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
    mark: npt.NDArray[np.int32]
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
            # int32: a block's candidate keys are far fewer than 2**31 (to_unique falls back
            # to a sort past that); 48 MB less per thread at 100k.
            mark=np.zeros(block * rows, dtype=np.int32),
            dense=np.zeros(block * common, dtype=np.float64),
        )


def _to_csr(ptr: Ints, keep: Bools, values: Ids) -> tuple[Ints, Ids]:
    """CSR of values[keep] over the rows of the CSR laid out by ptr."""
    out = np.zeros(len(ptr), dtype=np.int64)
    np.cumsum(_to_row_counts(ptr, keep), out=out[1:])
    return out, values[keep]


def _to_row_counts(ptr: Ints, keep: Bools) -> Ints:
    """Per row of the CSR laid out by ptr: how many of its positions keep is True at."""
    # reduceat over the non-empty rows (it reads an empty one as one value), a chunk of rows
    # at a time: a bincount of each kept occurrence's row, or one reduceat (which widens all
    # of keep to int64), held 170 MB more at 100k.
    counts = np.zeros(len(ptr) - 1, dtype=np.int64)
    for start, stop in row_chunks(ptr):
        part = ptr[start : stop + 1] - ptr[start]
        filled = np.flatnonzero(part[1:] > part[:-1])
        if len(filled):
            chunk = keep[int(ptr[start]) : int(ptr[stop])]
            counts[start + filled] = np.add.reduceat(chunk, part[filled], dtype=np.int64)
    return counts


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
    if index.posting_limit < walked_limit(max_posting):
        raise ValueError(
            f"the index keeps postings up to {index.posting_limit} articles,"
            f" matching walks anchors on up to {walked_limit(max_posting)}"
        )
    occ, row_dtype = index.occ, index.post_rows.dtype.type
    # Per-anchor classes gathered per occurrence as booleans: no occurrence-long df or row
    # array (85 MB each at 100k, with their temporaries the peak of matching there).
    is_common = index.df > EXACT_POSTING
    common_ptr, common_occ = _to_csr(index.ptr, is_common[occ], occ)
    # Compact ids in anchor-id order, as np.unique's inverse gives, without sorting 10M+ ids;
    # int32, the common vocabulary is small. Renumbered in place: at 100k the anchor ids of
    # the common occurrences were another 75 MB held through the sketches. The compact ids
    # per occurrence are held only while the sketches and masses are made (to_common).
    common_ids = np.flatnonzero(is_common)
    common_of = np.full(len(index.df), -1, dtype=np.int32)
    common_of[common_ids] = np.arange(len(common_ids), dtype=np.int32)
    common_occ = renumber(common_occ.astype(np.int32, copy=False), common_of)
    common_weights = (view_weights[0][common_ids], view_weights[1][common_ids])
    # Buckets hash the compact ids: any hash bounds the shared weight the same way.
    same_script = pool.submit(to_sketch, common_ptr, common_occ, common_weights[0])
    mixed = bool(index.cyrillic.any() and not index.cyrillic.all())
    cross_script = (
        pool.submit(to_sketch, common_ptr, common_occ, common_weights[1]) if mixed else same_script
    )
    common_masses = (
        to_weight_sums(common_ptr, common_occ, common_weights[0]),
        to_weight_sums(common_ptr, common_occ, common_weights[1]),
    )
    sketches = (same_script.result(), cross_script.result())
    # Gone before the query anchors' temporaries come: at 100k the two together were the
    # peak of matching (+318 MB over the index; the sketches had run beside them).
    del common_occ, same_script, cross_script
    askable_anchor = (index.df > 1) & (index.df <= max_posting)
    askable = askable_anchor[occ]
    queried, queried_rows = _to_queried(index, weights, askable, query_anchors)
    query_ptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(queried_rows, minlength=rows), out=query_ptr[1:])
    # Queried anchors are walked for candidates anyway; their hits also give their weight.
    query_occ = occ[queried]
    asked_ptr, asked_order = to_groups(query_occ, len(index.df))
    asked_rows = queried_rows.astype(row_dtype)[asked_order]
    del asked_order
    # post_after is per walked occurrence (index.walked): every class here is walked.
    query_after = index.post_after[np.searchsorted(index.walked, queried)]
    rest = ((index.df > 1) & (index.df <= EXACT_POSTING))[occ]
    rest[queried] = False
    rest_ptr, rest_occ = _to_csr(index.ptr, rest, occ)
    rest_after = index.post_after[rest[index.walked]]
    del rest
    askable_ptr, askable_occ = _to_csr(index.ptr, askable, occ)
    askable_after = to_asked_after(query_after, index.post_after[askable[index.walked]])
    del askable
    # Unbanded rows hold group -1, which reads the appended size 0.
    band_sizes = np.append(np.diff(index.band_ptr), 0)
    band_partners = np.asarray((band_sizes[index.band_group] > 1).any(axis=1), dtype=bool)
    return MatchArrays(
        weights=weights,
        view_weights=view_weights,
        masses=(
            to_weight_sums(index.ptr, occ, view_weights[0]),
            to_weight_sums(index.ptr, occ, view_weights[1]),
        ),
        common_masses=common_masses,
        rest_ptr=rest_ptr,
        rest_occ=rest_occ,
        rest_after=rest_after,
        common_ptr=common_ptr,
        common_of=common_of,
        common_weights=common_weights,
        sketches=sketches,
        query_ptr=query_ptr,
        query_occ=query_occ,
        query_after=query_after,
        askable_ptr=askable_ptr,
        askable_occ=askable_occ,
        askable_after=askable_after,
        asked_ptr=asked_ptr,
        asked_rows=asked_rows,
        minhash_nibbles=to_nibbles(index.minhash),
        band_partners=band_partners,
        hash_partners=np.diff(index.hash_ptr)[index.hash_group] > 1,
    )


def _to_queried(
    index: MatchIndex, weights: Floats, askable: Bools, query_anchors: int
) -> tuple[Ints, Ints]:
    """Positions (in occ) of each row's query_anchors rarest askable anchors, and their rows.

    By row, rarest first within one.
    """
    eligible = np.flatnonzero(askable)
    rows = to_rows_at(index.ptr, eligible)
    # Rarest first: a stable sort by row, then by negated weight keeps tuple order on ties,
    # as sorted(key=-weight) does per article.
    order = np.lexsort((-weights[index.occ[eligible]], rows))
    eligible, rows = eligible[order], rows[order]
    first = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left") < query_anchors
    return eligible[first], rows[first]


def to_weight_sums(ptr: Ints, anchors: Ids, weights: Floats) -> Floats:
    """Per-row sums of weights[anchors] over the CSR rows of ptr (to_row_sums' order)."""
    # A chunk of rows at a time: the gathered weights of all 21M occurrences at 100k were
    # 170 MB at once; per-row sums do not depend on the chunking.
    sums = np.zeros(len(ptr) - 1, dtype=np.float64)
    for start, stop in row_chunks(ptr):
        lo, hi = int(ptr[start]), int(ptr[stop])
        part = ptr[start : stop + 1] - lo
        sums[start:stop] = to_row_sums(part, weights[anchors[lo:hi]], stop - start)
    return sums


def to_asked_after(queried_ends: Ids, askable_ends: Ids) -> Ids:
    """Per askable occurrence: where the rows after its row start in its anchor's asked_rows.

    Both take each occurrence's run end in the postings (index.post_after). asked_rows lists
    the queried occurrences by anchor, then row, so the ones at or before an occurrence's
    row in its anchor, and all of the anchors before, are those whose run ends no later
    than its own: counted by one search in their sorted ends (a bincount over all
    occurrences was 170 MB at 100k; a search per anchor's slice took ~5 CPU-s). In the
    ends' integer type.
    """
    ends = np.sort(queried_ends)
    # Searched in ascending order: on 2.5M random ends the unsorted search took ~1 CPU-s,
    # this ~0.45 (the bincount ~0.35).
    order = np.argsort(askable_ends)
    counts = np.empty(len(askable_ends), dtype=askable_ends.dtype)
    counts[order] = np.searchsorted(ends, askable_ends[order], side="right")
    return counts


def to_common(index: MatchIndex, arrays: MatchArrays, rows: Ints) -> npt.NDArray[np.int32]:
    """The compact ids of the rows' common anchors, row after row, each row's in the order
    of its anchors: the CSR of common_ptr, read through the anchors (85% of them common at
    100k) rather than held as one (75 MB there)."""
    ids = arrays.common_of[to_slices(index.ptr, index.occ, rows)]
    return ids[ids >= 0]


def walked_limit(max_posting: int) -> int:
    """Articles an anchor may be on and still be walked through its posting."""
    return max(EXACT_POSTING, max_posting)


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
    common = to_common(index, arrays, rows)
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
            cells += to_common(index, arrays, near)
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
