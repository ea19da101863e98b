"""Ranked candidates: each pair of two matched rows is met once, from the first row's turn."""

from __future__ import annotations

import numpy as np

from parsers.fingerprint import Fingerprint
from parsers.match_filter import Scratch, candidate_pairs
from parsers.matching import MIN_SHARED, to_corpus


def _fps(seed: int) -> list[Fingerprint]:
    """60 anchor-only fingerprints: up to 70 anchors on ~12 rows each, repeats, 3 hash copies."""
    rng = np.random.default_rng(seed)
    fps = []
    for k in range(60):
        ids = rng.integers(0, 150, size=int(rng.integers(3, 70)))
        anchors = tuple(f"num:{i}" for i in ids)
        fps.append(Fingerprint(f"a{k:02d}", "en", f"sha-{k % 57}", None, anchors=anchors))
    return fps


def _pairs(seed: int, ranked: bool) -> list[frozenset[int]]:
    """Candidate pairs of 50 of the rows, in blocks of 7, with or without turns."""
    corpus = to_corpus(_fps(seed))
    index, arrays = corpus.index, corpus.arrays
    n = len(index.ids)
    order = np.random.default_rng(seed).permutation(n)[:50]
    rank = np.full(n, n, dtype=np.int64)
    rank[order] = np.arange(len(order))
    scratch = Scratch.for_index(index, arrays, most=7)
    pairs = []
    for start in range(0, len(order), 7):
        rows = order[start : start + 7]
        turns = rank if ranked else None
        mine, others = candidate_pairs(index, arrays, rows, scratch, MIN_SHARED, rank=turns)
        pairs += [frozenset(p) for p in zip(rows[mine].tolist(), others.tolist(), strict=True)]
    return pairs


def test_ranked_candidates_meet_every_pair_once() -> None:
    for seed in range(4):
        plain, once = _pairs(seed, False), _pairs(seed, True)
        assert set(once) == set(plain)
        assert len(once) == len(set(once))
        # The fixture has pairs proposed from both sides, which turns must halve.
        assert len(plain) > len(once)
