"""Candidates in turns: each pair of two matched rows is met once, from the lower row's turn."""

from __future__ import annotations

import numpy as np
import pytest

from parsers import match_filter, match_index, matching
from parsers.fingerprint import Fingerprint
from parsers.match_filter import Scratch, candidate_pairs, survivor_pairs, to_match_arrays
from parsers.match_index import to_match_index, to_unique
from parsers.matching import (
    LSH_BANDS,
    LSH_ROWS,
    MIN_SHARED,
    QUERY_ANCHORS,
    THRESHOLD,
    content_edges,
    to_corpus,
)


def _fps(seed: int, repeats: bool = True) -> list[Fingerprint]:
    """60 anchor-only fingerprints: up to 70 anchors on ~12 rows each, repeats, 3 hash copies."""
    rng = np.random.default_rng(seed)
    fps = []
    for k in range(60):
        size = int(rng.integers(3, 70))
        ids = rng.integers(0, 150, size=size) if repeats else rng.permutation(150)[:size]
        anchors = tuple(f"num:{i}" for i in ids)
        fps.append(Fingerprint(f"a{k:02d}", "en", f"sha-{k % 57}", None, anchors=anchors))
    return fps


def _pairs(seed: int, in_turns: bool, survivors: bool = False) -> list[frozenset[int]]:
    """Candidate pairs of the first 50 rows (fingerprints shuffled), blocks of 7, turns or not."""
    fps = _fps(seed, repeats=not survivors)
    order = np.random.default_rng(seed).permutation(len(fps))
    corpus = to_corpus([fps[k] for k in order.tolist()])
    index, arrays = corpus.index, corpus.arrays
    scratch = Scratch.for_index(index, arrays, most=7)
    pairs = []
    for start in range(0, 50, 7):
        rows = np.arange(start, min(start + 7, 50), dtype=np.int64)
        turns = 50 if in_turns else None
        if survivors:
            # Rows without repeated anchors: their pairs are kept by the array bound alone.
            mine, others = survivor_pairs(
                index, arrays, rows, scratch, corpus.mass_floor, THRESHOLD, MIN_SHARED, turns
            )
            mine = np.searchsorted(rows, mine)
        else:
            mine, others = candidate_pairs(index, arrays, rows, scratch, MIN_SHARED, turns=turns)
        pairs += [frozenset(p) for p in zip(rows[mine].tolist(), others.tolist(), strict=True)]
    return pairs


def test_candidates_in_turns_meet_every_pair_once() -> None:
    for seed in range(4):
        plain, once = _pairs(seed, False), _pairs(seed, True)
        assert set(once) == set(plain)
        assert len(once) == len(set(once))
        # The fixture has pairs proposed from both sides, which turns must halve.
        assert len(plain) > len(once)


def test_bounds_in_turns_keep_the_same_pairs() -> None:
    # Only the later rows are walked in turns: their shared weights must be the whole ones.
    for seed in range(4):
        plain, once = _pairs(seed, False, True), _pairs(seed, True, True)
        assert set(once) == set(plain)
        assert len(once) == len(set(once))
        assert once


def test_sketch_compares_only_pairs_the_common_masses_cannot_rule_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every anchor on 2+ rows is common here. p shares two anchors with q and two with r
    # (first in its tuple: its rarest, asked for candidates); q's common mass could lift the
    # pair, r's 200 anchors of its own (on r only) hold r's mass apart from it.
    monkeypatch.setattr(match_filter, "EXACT_POSTING", 1)
    own = [[f"num:{side}{k}" for k in range(60)] for side in "pq"]
    with_q, with_r = ("num:1", "num:2"), ("num:3", "num:4")
    alone = tuple(f"yr:{k}" for k in range(200))
    fps = [
        Fingerprint("p", "en", "sha-p", None, anchors=(*with_q, *with_r, *own[0])),
        Fingerprint("q", "en", "sha-q", None, anchors=(*with_q, *own[1])),
        Fingerprint("r", "en", "sha-r", None, anchors=(*with_r, *alone)),
        # Holders of p's and q's own anchors, so that those are common too.
        *(Fingerprint(f"f{k}", "en", f"sha-f{k}", None, anchors=tuple(own[k])) for k in (0, 1)),
    ]
    corpus = to_corpus(fps)
    index, arrays = corpus.index, corpus.arrays
    compared: list[tuple[int, int]] = []
    bound = match_filter.to_shared_bound

    def spy(sketch, xs, ys):  # type: ignore[no-untyped-def]
        """to_shared_bound, noting the pairs it was asked about."""
        compared.extend(zip(xs.tolist(), ys.tolist(), strict=True))
        return bound(sketch, xs, ys)

    monkeypatch.setattr(match_filter, "to_shared_bound", spy)
    rows = np.array([0], dtype=np.int64)
    scratch = Scratch.for_index(index, arrays)
    _, candidates = candidate_pairs(index, arrays, rows, scratch, MIN_SHARED)
    assert {1, 2} <= set(candidates.tolist())
    survivor_pairs(index, arrays, rows, scratch, corpus.mass_floor, THRESHOLD, MIN_SHARED)
    assert (0, 1) in compared
    assert (0, 2) not in compared


def test_a_candidate_shares_min_shared_query_anchors() -> None:
    fps = [
        Fingerprint("p", "en", "sha-p", None, anchors=("num:1", "num:2", "num:3")),
        Fingerprint("one", "en", "sha-one", None, anchors=("num:1", "num:8")),
        Fingerprint("two", "en", "sha-two", None, anchors=("num:2", "num:3", "num:9")),
        Fingerprint("far", "en", "sha-far", None, anchors=("num:8", "num:9")),
    ]
    corpus = to_corpus(fps)
    index, arrays = corpus.index, corpus.arrays
    scratch = Scratch.for_index(index, arrays)
    for turns in (None, 4):
        rows = np.array([0], dtype=np.int64)
        _, others = candidate_pairs(index, arrays, rows, scratch, MIN_SHARED, turns=turns)
        assert others.tolist() == [2]


def test_asked_after_is_past_the_askers_at_or_before_each_row() -> None:
    for seed in range(4):
        arrays = to_corpus(_fps(seed)).arrays
        ptr, asked = arrays.asked_ptr, arrays.asked_rows
        rows = np.repeat(np.arange(60), np.diff(arrays.askable_ptr))
        expected = [
            int(ptr[a] + (asked[ptr[a] : ptr[a + 1]] <= r).sum())
            for a, r in zip(arrays.askable_occ.tolist(), rows.tolist(), strict=True)
        ]
        assert arrays.askable_after.tolist() == expected


def test_ids_past_int32_take_int64_and_give_the_same_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    fps = _fps(5)
    fitted = to_corpus(fps)
    assert fitted.index.occ.dtype == np.int32 and fitted.arrays.askable_after.dtype == np.int32
    edges = content_edges(fps, [], workers=1)
    # Counts past the limit: ids, rows and positions fall back to int64.
    monkeypatch.setattr(match_index, "INT32_LIMIT", 3)
    wide = to_corpus(fps)
    for name in ("occ", "df", "post_rows", "hash_rows", "band_rows"):
        assert getattr(wide.index, name).dtype == np.int64, name
        assert getattr(wide.index, name).tolist() == getattr(fitted.index, name).tolist(), name
    assert wide.arrays.askable_after.dtype == np.int64
    assert wide.arrays.askable_after.tolist() == fitted.arrays.askable_after.tolist()
    assert edges and content_edges(fps, [], workers=1) == edges


def test_unique_positions_past_the_mark_type_come_from_a_sort() -> None:
    values = np.random.default_rng(2).integers(0, 50, size=300).astype(np.int64)
    # The marks keep each value's last position, and so its last occurrence.
    expected = list(dict.fromkeys(values.tolist()[::-1]))[::-1]
    # int8 marks hold positions up to 127: 300 values take the sort.
    assert to_unique(values, np.zeros(50, dtype=np.int8)).tolist() == expected
    assert to_unique(values, np.zeros(50, dtype=np.int32)).tolist() == expected


def test_postings_of_common_anchors_are_not_needed_for_the_edges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Anchors on more than 8 rows are common (most of the fixture's): the index keeps no
    # postings for them, and the edges are those of an index holding every posting.
    monkeypatch.setattr(match_filter, "EXACT_POSTING", 8)
    monkeypatch.setattr(matching, "MIN_POSTING", 8)
    for seed in range(3):
        fps = _fps(seed)
        index = to_corpus(fps).index
        assert index.posting_limit == 8
        assert (index.df > 8).sum() > len(index.df) // 2
        edges = content_edges(fps, [], workers=1)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(matching, "walked_limit", lambda max_posting: 10**9)
            assert to_corpus(fps).index.posting_limit == 10**9
            assert content_edges(fps, [], workers=1) == edges
        assert edges


def test_arrays_refuse_an_index_without_the_postings_they_walk() -> None:
    fps = _fps(0)
    index = to_match_index(fps, LSH_BANDS, LSH_ROWS, posting_limit=3)
    weights = np.ones(len(index.df))
    with pytest.raises(ValueError, match="postings up to 3"):
        to_match_arrays(index, weights, 20, QUERY_ANCHORS)
