"""Fingerprints as arrays for matching: interned anchors, postings, LSH groups, MinHash rows.

Anchors are interned to int ids in first-seen order; each article's ids keep its tuple's
order (so "rarest first" breaks ties as a stable sort over the tuple does), postings list
rows in corpus order. Everything here is a pure transform of the fingerprints.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from parsers.fingerprint import NUM_PERM, Fingerprint

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
# Articles' anchors are converted to Arrow and encoded in this many parts (to_anchor_codes).
ARROW_PARTS = 4
_ANCHORS = pa.list_(pa.string())
# Any integer dtype: to_slices keeps its input's (int32 common ids stay int32).
IntT = TypeVar("IntT", bound=np.integer[Any])


@dataclass(frozen=True, slots=True)
class MatchIndex:
    """Per-article arrays (row = position in the corpus) and per-anchor arrays (id = interned)."""

    ids: list[str]
    rows: dict[str, int]
    vocab: dict[str, int]
    kinds: list[str]
    df: Ints
    # CSR: anchor ids of row r are occ[ptr[r]:ptr[r + 1]], in the fingerprint's order.
    ptr: Ints
    occ: Ints
    # CSR: rows holding anchor a are post_rows[post_ptr[a]:post_ptr[a + 1]], ascending.
    post_ptr: Ints
    post_rows: Ints
    # Per occurrence: the position in post_rows just past its row's run in its anchor's
    # posting: where the rows after it start.
    post_after: Ints
    minhash: Ints
    lang: Ints
    cyrillic: Bools
    has_tokens: Bools
    hash_group: Ints
    # CSR over content-hash groups and over LSH (band, key) groups; band_group is -1 for
    # articles too short to be banded.
    hash_ptr: Ints
    hash_rows: Ints
    band_group: Ints
    band_ptr: Ints
    band_rows: Ints
    # Rows whose anchor tuple repeats an anchor: array sums would miscount them, so their
    # pairs always go to the exact Python bound.
    repeats: Bools


def to_codes(values: Iterable[str], count: int = -1) -> tuple[Ints, dict[str, int]]:
    """Each value's first-seen code, and the code table."""
    # One pass in C: a missing key takes the next code (defaultdict's factory), so neither
    # a second lookup pass nor a list of all values is needed (12M+ anchors at 100k).
    table: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    codes = np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=count)
    return codes, dict(table)


def to_anchor_codes(
    fps: Sequence[Fingerprint], workers: int = 1
) -> tuple[Ints, Ints, dict[str, int]]:
    """CSR (ptr, codes) of every article's anchors with first-seen codes, and the code table.

    With workers > 1, Arrow encodes one part of the articles in a thread (it releases the
    GIL there) while the next part is converted (which holds it).
    """
    try:
        # Arrow encodes 21M anchors at 100k in about half of to_codes' time (measured).
        parts = _to_arrow_codes(fps, workers)
    except (pa.ArrowException, UnicodeEncodeError):
        parts = None
    if parts is not None:
        ptr, codes, vocab = parts
        # Arrow numbers values by first appearance; checked, as to_codes' order is relied on.
        seen = np.maximum.accumulate(codes) if len(codes) else codes
        if len(codes) == 0 or (seen[0] == 0 and bool((np.diff(seen) <= 1).all())):
            return ptr, codes, dict(zip(vocab, range(len(vocab)), strict=True))
    # Strings Arrow cannot hold (lone surrogates) or another numbering: the dict path.
    lengths = np.fromiter((len(fp.anchors) for fp in fps), dtype=np.int64, count=len(fps))
    ptr = np.zeros(len(fps) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    codes, table = to_codes(itertools.chain.from_iterable(fp.anchors for fp in fps), int(ptr[-1]))
    return ptr, codes, table


def _to_arrow_codes(fps: Sequence[Fingerprint], workers: int) -> tuple[Ints, Ints, list[str]]:
    """(ptr, codes, vocab) by Arrow's dictionary encoding, in ARROW_PARTS parts of the articles."""
    size = -(-len(fps) // ARROW_PARTS) or 1
    starts = range(0, max(len(fps), 1), size)
    converted = (pa.array([fp.anchors for fp in fps[k : k + size]], _ANCHORS) for k in starts)
    lists: list[Any] = []
    if workers <= 1:
        lists = list(converted)
        parts = [part.values.dictionary_encode() for part in lists]
    else:
        with ThreadPoolExecutor(max_workers=1) as pool:
            encoding: list[Future[Any]] = []
            for part in converted:
                lists.append(part)
                encoding.append(pool.submit(part.values.dictionary_encode))
            parts = [future.result() for future in encoding]
    ptr = np.zeros(len(fps) + 1, dtype=np.int64)
    offsets = [np.asarray(part.offsets.to_numpy(), dtype=np.int64) for part in lists]
    ends = np.cumsum([0, *(int(o[-1]) for o in offsets)])
    ptr[1:] = np.concatenate([o[1:] + end for o, end in zip(offsets, ends, strict=False)])
    # A part's codes are first-seen within it; the vocabulary grows by each part's new values
    # in their order there, so the merged codes are first-seen over all parts.
    vocab = parts[0].dictionary
    codes = [parts[0].indices.to_numpy(zero_copy_only=False).astype(np.int64)]
    for part in parts[1:]:
        known = pc.index_in(part.dictionary, value_set=vocab)
        new = np.asarray(known.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        remap = np.asarray(known.fill_null(0).to_numpy(), dtype=np.int64)
        remap[new] = len(vocab) + np.arange(int(new.sum()), dtype=np.int64)
        codes.append(remap[part.indices.to_numpy(zero_copy_only=False).astype(np.int64)])
        vocab = pa.concat_arrays([vocab, part.dictionary.filter(pa.array(new))])
    return ptr, np.concatenate(codes), vocab.to_pylist()


def to_groups(codes: Ints, n_groups: int) -> tuple[Ints, Ints]:
    """CSR (ptr, rows) of the rows in each group; negative codes belong to no group."""
    keep = np.flatnonzero(codes >= 0)
    # Sorting (code, position) as one int64 is stable by construction and several times
    # faster than a stable argsort of the codes.
    size = max(len(codes), 1)
    order = np.sort(codes[keep] * size + keep) % size
    counts = np.bincount(codes[keep], minlength=n_groups)
    ptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, order.astype(np.int64)


def to_band_groups(minhash: Ints, banded: Bools, bands: int, rows: int) -> Ints:
    """(N, bands) global group ids of each band's key; -1 where the article is not banded."""
    n = len(minhash)
    out = np.full((n, bands), -1, dtype=np.int64)
    where = np.flatnonzero(banded)
    if len(where) == 0:
        return out
    offset = 0
    for band in range(bands):
        keys = minhash[where, band * rows : (band + 1) * rows]
        # lexsort and row changes: np.unique(axis=0) sorts a structured view, far slower.
        order = np.lexsort(keys.T[::-1])
        changed = np.any(keys[order][1:] != keys[order][:-1], axis=1)
        groups = np.concatenate(([0], np.cumsum(changed)))
        out[where[order], band] = groups + offset
        offset += int(groups[-1]) + 1
    return out


def to_match_index(
    fps: Sequence[Fingerprint], lsh_bands: int, lsh_rows: int, workers: int = 1
) -> MatchIndex:
    """Intern anchors and lay the fingerprints out as arrays (LSH groups in a second thread)."""
    n = len(fps)
    if any(len(fp.minhash) != NUM_PERM for fp in fps):
        raise ValueError(f"a MinHash signature is not {NUM_PERM} long")
    minhash = np.array([fp.minhash for fp in fps], dtype=np.int64).reshape(n, NUM_PERM)
    banded = np.fromiter((fp.n_tokens >= 20 for fp in fps), dtype=bool, count=n)
    if workers <= 1:
        band_group = to_band_groups(minhash, banded, lsh_bands, lsh_rows)
        return _to_anchor_index(fps, minhash, lsh_bands, lambda: band_group)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The band sorts release the GIL: in a second thread they overlap the anchor coding.
        bands = pool.submit(to_band_groups, minhash, banded, lsh_bands, lsh_rows)
        return _to_anchor_index(fps, minhash, lsh_bands, bands.result, workers)


def _to_anchor_index(
    fps: Sequence[Fingerprint],
    minhash: Ints,
    lsh_bands: int,
    band_groups: Callable[[], Ints],
    workers: int = 1,
) -> MatchIndex:
    """The index around given MinHash rows and LSH groups: anchors, postings, hash groups."""
    n = len(fps)
    ptr, occ, vocab = to_anchor_codes(fps, workers)
    df = np.bincount(occ, minlength=len(vocab)).astype(np.int64)
    row_of_occ = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    post_ptr, post_order = to_groups(occ, len(vocab))
    post_rows = row_of_occ[post_order]
    post_after = np.empty(len(occ), dtype=np.int64)
    post_after[post_order] = to_run_ends(post_ptr, post_rows)
    # Within one anchor's posting a repeated anchor shows as the same row twice in a row.
    same = np.flatnonzero(post_rows[1:] == post_rows[:-1])
    same = same[post_ptr[np.searchsorted(post_ptr, same, side="right")] > same + 1]
    repeats = np.zeros(n, dtype=bool)
    repeats[post_rows[same]] = True
    lang, _ = to_codes([fp.lang for fp in fps])
    hash_group, hashes = to_codes([fp.content_sha256 for fp in fps])
    hash_ptr, hash_rows = to_groups(hash_group, len(hashes))
    band_group = band_groups()
    n_band_groups = int(band_group.max()) + 1 if band_group.size else 0
    band_ptr, band_order = to_groups(band_group.reshape(-1), n_band_groups)
    ids = [fp.article_id for fp in fps]
    return MatchIndex(
        ids=ids,
        rows={aid: r for r, aid in enumerate(ids)},
        vocab=vocab,
        kinds=[a.split(":", 1)[0] for a in vocab],
        df=df,
        ptr=ptr,
        occ=occ,
        post_ptr=post_ptr,
        post_rows=post_rows,
        post_after=post_after,
        minhash=minhash,
        lang=lang,
        cyrillic=np.fromiter((fp.script == "cyrillic" for fp in fps), dtype=bool, count=n),
        has_tokens=np.fromiter((fp.n_tokens > 0 for fp in fps), dtype=bool, count=n),
        hash_group=hash_group,
        hash_ptr=hash_ptr,
        hash_rows=hash_rows,
        band_group=band_group,
        band_ptr=band_ptr,
        band_rows=band_order // lsh_bands,
        repeats=repeats,
    )


def to_slices(ptr: Ints, values: npt.NDArray[IntT], which: Ints) -> npt.NDArray[IntT]:
    """The CSR slices values[ptr[k]:ptr[k + 1]] for each k in `which`, concatenated."""
    starts = ptr[which]
    return to_spans(values, starts, ptr[which + 1] - starts)


def to_spans(values: npt.NDArray[IntT], starts: Ints, lens: Ints) -> npt.NDArray[IntT]:
    """The slices values[s:s + n] for each start s and length n, concatenated."""
    total = int(lens.sum())
    if total == 0:
        return values[:0]
    offsets = np.repeat(starts - np.cumsum(lens) + lens, lens)
    return values[offsets + np.arange(total, dtype=np.int64)]


def to_run_ends(ptr: Ints, values: Ints) -> Ints:
    """Per position of a CSR of ascending slices: the position just past its run of equal values."""
    size = len(values)
    if size == 0:
        return values.copy()
    # A run ends before a different value or a slice's start (equal values across slices differ).
    last = np.ones(size, dtype=bool)
    last[:-1] = values[1:] != values[:-1]
    starts = ptr[1:-1]
    last[starts[(starts > 0) & (starts < size)] - 1] = True
    ends = np.where(last, np.arange(1, size + 1, dtype=np.int64), size)
    # The nearest run end at or after each position: a minimum accumulated from the back.
    return np.minimum.accumulate(ends[::-1])[::-1]


def to_row_sums(ptr: Ints, values: Floats, n: int) -> Floats:
    """Per-row sums of a CSR-laid float array (empty rows sum to 0)."""
    # reduceat over the non-empty rows (it reads an empty one as one value): no row of
    # every value (np.repeat holds the GIL, 2 s for 21M at 100k). It adds in another order
    # than bincount, last bits apart; these sums only feed the filter, which has a slack.
    sums = np.zeros(n, dtype=np.float64)
    filled = np.flatnonzero(ptr[1:] > ptr[:-1])
    if len(filled):
        sums[filled] = np.add.reduceat(values[: ptr[-1]], ptr[filled])
    return sums


def to_unique(values: Ints, mark: Ints) -> Ints:
    """Distinct values in first-seen order; `mark` is scratch of the value range, left dirty."""
    if len(values) == 0:
        return values
    mark[values] = np.arange(len(values), dtype=np.int64)
    return values[mark[values] == np.arange(len(values), dtype=np.int64)]
