"""Fingerprints as arrays for matching: interned anchors, postings, LSH groups, MinHash rows.

Anchors are interned to int ids in first-seen order; each article's ids keep its tuple's
order (so "rarest first" breaks ties as a stable sort over the tuple does), postings list
rows in corpus order. Ids, rows and occurrence positions are int32 while they fit
(to_id_dtype), int64 past that. Everything here is a pure transform of the fingerprints.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from parsers.anchor_pack import SEP, anchor_text
from parsers.fingerprint import NUM_PERM, Fingerprint
from parsers.heap import release_freed
from parsers.minhash import SIG_DTYPE

Ints = npt.NDArray[np.int64]
# Row numbers, anchor ids and positions among all anchor occurrences: int32 where they fit
# (to_id_dtype), else int64. At 100k occ, post_rows and post_after are 21.5M long, 172 MB
# each as int64; all three and their temporaries halve.
Ids = npt.NDArray[np.signedinteger[Any]]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
# Articles' anchors are converted to Arrow and encoded in this many parts (to_anchor_codes);
# two are held at once. At 100k, 4 parts peaked ~550 MB over the start, 16 ~250-300 MB
# (32: ~210), in the same time within the noise (3.7-6.6 s wall); 32 since this step became
# one of matching's peaks.
ARROW_PARTS = 32
# Largest count held in int32 ids: ids, positions and one past them (+1, ptr[r + 1]) fit.
INT32_LIMIT = 2**31 - 2
# Codes checked or numbered, or occurrences gathered or sorted per row (row_chunks), this
# many at a time: no temporaries of all 21M at 100k.
_CHECK_CHUNK = 1 << 20
# Any integer dtype: to_slices keeps its input's (int32 common ids stay int32).
IntT = TypeVar("IntT", bound=np.integer[Any])
IdsT = TypeVar("IdsT", bound=npt.NDArray[np.signedinteger[Any]])


@dataclass(frozen=True, slots=True)
class MatchIndex:
    """Per-article arrays (row = position in the corpus) and per-anchor arrays (id = interned)."""

    ids: list[str]
    rows: dict[str, int]
    vocab: dict[str, int]
    kinds: list[str]
    df: Ids
    # CSR: anchor ids of row r are occ[ptr[r]:ptr[r + 1]], in the fingerprint's order.
    ptr: Ints
    occ: Ids
    # CSR: rows holding anchor a are post_rows[post_ptr[a]:post_ptr[a + 1]], ascending, for
    # the anchors with df <= posting_limit; the others' postings are empty.
    post_ptr: Ints
    post_rows: Ids
    posting_limit: int
    # Positions in occ of the occurrences of anchors with postings (ascending), and per such
    # occurrence the position in post_rows just past its row's run in its anchor's posting:
    # where the rows after it start.
    walked: Ids
    post_after: Ids
    minhash: Ints
    lang: Ints
    cyrillic: Bools
    has_tokens: Bools
    hash_group: Ints
    # CSR over content-hash groups and over LSH (band, key) groups; band_group is -1 for
    # articles too short to be banded.
    hash_ptr: Ints
    hash_rows: Ids
    band_group: Ints
    band_ptr: Ints
    band_rows: Ids
    # Rows whose anchor tuple repeats an anchor: array sums would miscount them, so their
    # pairs always go to the exact Python bound.
    repeats: Bools


def to_id_dtype(*counts: int) -> type[np.signedinteger[Any]]:
    """int32 when every id and position below the counts (and one past) fits, else int64."""
    return np.int32 if max(counts, default=0) <= INT32_LIMIT else np.int64


def to_codes(values: Iterable[str], count: int = -1) -> tuple[Ints, dict[str, int]]:
    """Each value's first-seen code, and the code table."""
    # One pass in C: a missing key takes the next code (defaultdict's factory), so neither
    # a second lookup pass nor a list of all values is needed (12M+ anchors at 100k).
    table: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    codes = np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=count)
    return codes, dict(table)


def to_anchor_codes(
    fps: Sequence[Fingerprint], workers: int = 1
) -> tuple[Ints, Ids, dict[str, int]]:
    """CSR (ptr, codes) of every article's anchors with first-seen codes, and the code table.

    Codes are int32 where they fit (to_id_dtype). With workers > 1, Arrow encodes one part
    of the articles in a thread (it releases the GIL there) while the next part is converted
    (which holds it).
    """
    try:
        # Arrow encodes 21M anchors at 100k in about half of to_codes' time (measured).
        parts = _to_arrow_codes(fps, workers)
    except (pa.ArrowException, UnicodeEncodeError):
        parts = None
    release_freed()
    # Arrow numbers values by first appearance; checked, as to_codes' order is relied on.
    if parts is not None and _is_first_seen(parts[1]):
        ptr, codes, vocab = parts
        return ptr, codes, dict(zip(vocab, range(len(vocab)), strict=True))
    del parts
    # Strings Arrow cannot hold (lone surrogates) or another numbering: the dict path.
    ptr = _to_anchor_ptr(fps)
    codes, table = to_codes(itertools.chain.from_iterable(fp.anchors for fp in fps), int(ptr[-1]))
    return ptr, codes.astype(to_id_dtype(len(codes), len(fps)), copy=False), table


def _to_anchor_ptr(fps: Sequence[Fingerprint]) -> Ints:
    """CSR offsets of the articles' anchors."""
    lengths = np.fromiter((fp.anchor_count for fp in fps), dtype=np.int64, count=len(fps))
    ptr = np.zeros(len(fps) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    return ptr


def _is_first_seen(codes: Ids) -> bool:
    """Whether codes start at 0 and each is at most one past all before it (first-seen)."""
    # In chunks: a running maximum and its differences over all 21M codes at 100k were two
    # more full-length arrays (172 MB as int64).
    top = -1
    for start in range(0, len(codes), _CHECK_CHUNK):
        seen = np.maximum.accumulate(codes[start : start + _CHECK_CHUNK])
        np.maximum(seen, top, out=seen)
        if int(seen[0]) > top + 1 or bool((np.diff(seen) > 1).any()):
            return False
        top = int(seen[-1])
    return True


def _to_arrow_codes(fps: Sequence[Fingerprint], workers: int) -> tuple[Ints, Ids, list[str]]:
    """(ptr, codes, vocab) by Arrow's dictionary encoding, in ARROW_PARTS parts of the articles.

    Each part's Arrow lists and encoding are dropped once its codes are merged: at most two
    parts are held at once (one converted while the one before is encoded).
    """
    size = -(-len(fps) // ARROW_PARTS) or 1
    starts = range(0, max(len(fps), 1), size)
    ptr = _to_anchor_ptr(fps)
    merged = _ArrowCodes(np.empty(int(ptr[-1]), dtype=to_id_dtype(int(ptr[-1]), len(fps))))
    converted = (_to_anchor_values(fps[k : k + size]) for k in starts)
    if workers <= 1:
        for part in converted:
            merged.add(part.dictionary_encode())
        return ptr, merged.codes, merged.vocab_list()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[Any] | None = None
        for part in converted:
            encoding = pool.submit(part.dictionary_encode)
            del part
            if pending is not None:
                merged.add(pending.result())
            pending = encoding
        if pending is not None:
            merged.add(pending.result())
    return ptr, merged.codes, merged.vocab_list()


def _to_anchor_values(fps: Sequence[Fingerprint]) -> Any:
    """The fingerprints' anchors, in order, as one Arrow string array: their packed texts
    split in C (no Python string per anchor; a lone surrogate fails the cast)."""
    texts = pa.array(
        [anchor_text(fp.packed_anchors) if fp.anchor_count else None for fp in fps], pa.binary()
    )
    return pc.split_pattern(texts.cast(pa.string()), SEP).flatten()


class _ArrowCodes:
    """Codes of Arrow dictionary-encoded parts merged into one first-seen numbering."""

    def __init__(self, codes: Ids) -> None:
        """Merge into `codes` (as long as all parts' values together)."""
        self.codes = codes
        self.filled = 0
        self.vocab: Any = None

    def add(self, part: Any) -> None:
        """Append one part's codes; its new values extend the vocabulary in their order there."""
        # A part's codes are first-seen within it; the vocabulary grows by each part's new
        # values in their order there, so the merged codes are first-seen over all parts.
        indices = part.indices.to_numpy(zero_copy_only=False)
        out = self.codes[self.filled : self.filled + len(indices)]
        self.filled += len(indices)
        if self.vocab is None:
            out[:] = indices
            self.vocab = part.dictionary
            return
        known = pc.index_in(part.dictionary, value_set=self.vocab)
        new = np.asarray(known.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        remap = np.array(known.fill_null(0).to_numpy(), dtype=self.codes.dtype)
        remap[new] = len(self.vocab) + np.arange(int(new.sum()), dtype=self.codes.dtype)
        np.take(remap, indices, out=out)
        self.vocab = pa.concat_arrays([self.vocab, part.dictionary.filter(pa.array(new))])

    def vocab_list(self) -> list[str]:
        """The merged vocabulary in code order."""
        return [] if self.vocab is None else list(self.vocab.to_pylist())


def to_groups(codes: Ids, n_groups: int) -> tuple[Ints, Ids]:
    """CSR (ptr, rows) of the rows in each group; negative codes belong to no group.

    The rows are int32 where they fit (to_id_dtype).
    """
    size = max(len(codes), 1)
    # Sorting (code, position) as one int64 is stable by construction and several times
    # faster than a stable argsort of the codes. Built, sorted and reduced in place: on 21.2M
    # codes (the occurrences at 100k) +325 MB at the peak, int32 rows included, not +490.
    keep = np.flatnonzero(codes >= 0) if len(codes) and int(codes.min()) < 0 else None
    keys = (codes if keep is None else codes[keep]).astype(np.int64)
    counts = np.bincount(keys, minlength=n_groups)
    keys *= size
    if keep is None:
        _add_positions(keys)
    else:
        keys += keep
        del keep
    keys.sort()
    keys %= size
    ptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, keys.astype(to_id_dtype(size))


def renumber(values: IdsT, table: Ids) -> IdsT:
    """values[k] = table[values[k]] in place, a chunk at a time (no second full array)."""
    for start in range(0, len(values), _CHECK_CHUNK):
        chunk = values[start : start + _CHECK_CHUNK]
        chunk[:] = table[chunk]
    return values


def _add_positions(keys: Ints) -> None:
    """keys[k] += k, a chunk at a time (no full-length arange)."""
    for start in range(0, len(keys), _CHECK_CHUNK):
        chunk = keys[start : start + _CHECK_CHUNK]
        chunk += np.arange(start, start + len(chunk), dtype=np.int64)


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
    fps: Sequence[Fingerprint],
    lsh_bands: int,
    lsh_rows: int,
    workers: int = 1,
    posting_limit: int | None = None,
) -> MatchIndex:
    """Intern anchors and lay the fingerprints out as arrays (LSH groups in a second thread).

    Postings are kept for the anchors at most posting_limit times in the articles (all by
    default).
    """
    n = len(fps)
    if any(len(fp.minhash) != NUM_PERM * SIG_DTYPE.itemsize for fp in fps):
        raise ValueError(f"a MinHash signature is not {NUM_PERM} long")
    joined = b"".join(fp.minhash for fp in fps)
    minhash = np.frombuffer(joined, dtype=SIG_DTYPE).astype(np.int64).reshape(n, NUM_PERM)
    banded = np.fromiter((fp.n_tokens >= 20 for fp in fps), dtype=bool, count=n)
    if workers <= 1:
        band_group = to_band_groups(minhash, banded, lsh_bands, lsh_rows)
        return _to_anchor_index(fps, minhash, lsh_bands, lambda: band_group, posting_limit)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The band sorts release the GIL: in a second thread they overlap the anchor coding.
        bands = pool.submit(to_band_groups, minhash, banded, lsh_bands, lsh_rows)
        return _to_anchor_index(fps, minhash, lsh_bands, bands.result, posting_limit, workers)


def _to_anchor_index(
    fps: Sequence[Fingerprint],
    minhash: Ints,
    lsh_bands: int,
    band_groups: Callable[[], Ints],
    posting_limit: int | None,
    workers: int = 1,
) -> MatchIndex:
    """The index around given MinHash rows and LSH groups: anchors, postings, hash groups."""
    n = len(fps)
    ptr, occ, vocab = to_anchor_codes(fps, workers)
    ids_dtype = to_id_dtype(len(occ), n)
    df = np.bincount(occ, minlength=len(vocab)).astype(ids_dtype)
    # df counts an anchor repeated in one article each time: "all" is the largest df.
    limit = int(df.max(initial=0)) if posting_limit is None else posting_limit
    walked, post_ptr, post_rows, post_after = to_postings(ptr, occ, df <= limit)
    repeats = _to_repeats(ptr, occ, len(vocab))
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
        posting_limit=limit,
        walked=walked,
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


def to_row_of(ptr: Ints, dtype: type[np.signedinteger[Any]] = np.int64) -> Ids:
    """The row of each position of a CSR laid out by ptr."""
    return np.repeat(np.arange(len(ptr) - 1, dtype=dtype), np.diff(ptr))


def to_rows_at(ptr: Ints, positions: Ids) -> Ints:
    """The row of each position of a CSR laid out by ptr."""
    # The last row starting at or before it (empty rows start where the next one does).
    return np.searchsorted(ptr, positions, side="right") - 1


def to_postings(ptr: Ints, occ: Ids, kept: Bools) -> tuple[Ids, Ints, Ids, Ids]:
    """Postings of the kept anchors: (walked, post_ptr, post_rows, post_after) of MatchIndex.

    Only anchors rare enough to be walked keep theirs: at 100k the common ones hold 18.7M of
    the 21.2M occurrences, whose postings (and their sort) were ~250 MB at matching's peak.
    """
    dtype = to_id_dtype(len(occ), len(ptr))
    walked = np.flatnonzero(kept[occ]).astype(dtype)
    post_ptr, order = to_groups(occ[walked], len(kept))
    post_rows = to_rows_at(ptr, walked).astype(dtype)[order]
    post_after = np.empty(len(walked), dtype=dtype)
    post_after[order] = to_run_ends(post_ptr, post_rows)
    return walked, post_ptr, post_rows, post_after


def _to_repeats(ptr: Ints, occ: Ids, n_anchors: int) -> Bools:
    """Rows whose anchor tuple repeats an anchor."""
    # (row, anchor) keys sorted a chunk of rows at a time: a repeat is a key twice in a row.
    repeats = np.zeros(len(ptr) - 1, dtype=bool)
    for start, stop in row_chunks(ptr):
        lo, hi = int(ptr[start]), int(ptr[stop])
        keys = to_row_of(ptr[start : stop + 1] - lo) * n_anchors
        keys += occ[lo:hi]
        keys.sort()
        same = keys[1:][keys[1:] == keys[:-1]]
        repeats[start + same // n_anchors] = True
    return repeats


def row_chunks(ptr: Ints) -> Iterator[tuple[int, int]]:
    """(start, stop) rows of the CSR laid out by ptr, ~_CHECK_CHUNK occurrences a chunk."""
    rows = len(ptr) - 1
    step = max(1, rows * _CHECK_CHUNK // max(int(ptr[-1]), 1))
    for start in range(0, rows, step):
        yield start, min(rows, start + step)


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


def to_run_ends(ptr: Ints, values: Ids) -> Ids:
    """Per position of a CSR of ascending slices: the position just past its run of equal values.

    int32 where the positions fit (to_id_dtype).
    """
    size = len(values)
    if size == 0:
        return values.copy()
    # A run ends before a different value or a slice's start (equal values across slices differ).
    last = np.ones(size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=last[:-1])
    starts = ptr[1:-1]
    last[starts[(starts > 0) & (starts < size)] - 1] = True
    ends = np.arange(1, size + 1, dtype=to_id_dtype(size))
    ends[np.logical_not(last, out=last)] = size
    del last
    # The nearest run end at or after each position: a minimum accumulated from the back,
    # in place.
    backwards = ends[::-1]
    np.minimum.accumulate(backwards, out=backwards)
    return ends


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


def to_unique(values: Ints, mark: Ids) -> Ints:
    """Distinct values, each at its last occurrence; `mark` is scratch of the value range (dirty).

    Positions are written to mark in its integer type (of repeated writes to one cell the
    last stays); when they would not fit there, the last positions come from a sort instead.
    """
    if len(values) == 0:
        return values
    if len(values) - 1 > np.iinfo(mark.dtype).max:
        _, last = np.unique(values[::-1], return_index=True)
        return values[np.sort(len(values) - 1 - last)]
    positions = np.arange(len(values), dtype=mark.dtype)
    mark[values] = positions
    return values[mark[values] == positions]
