"""Candidates in turns: each pair of two matched rows is met once, from the lower row's turn."""

from __future__ import annotations

import numpy as np

from parsers.fingerprint import Fingerprint
from parsers.match_filter import Scratch, candidate_pairs, survivor_pairs
from parsers.matching import MIN_SHARED, THRESHOLD, to_corpus


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
