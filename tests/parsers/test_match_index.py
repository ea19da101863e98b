"""Anchor codes: Arrow's encoding numbers anchors exactly as the first-seen dict does."""

from __future__ import annotations

import itertools

import numpy as np

from parsers.fingerprint import Fingerprint
from parsers.match_index import to_after, to_anchor_codes, to_codes


def _fp(aid: str, *anchors: str) -> Fingerprint:
    """A fingerprint with only an id and anchors."""
    return Fingerprint(aid, "en", f"sha-{aid}", None, anchors=anchors)


def _dict_codes(fps: list[Fingerprint]) -> tuple[list[int], list[int], dict[str, int]]:
    """(ptr, codes, table) by the first-seen dict, the numbering the matcher relies on."""
    ptr = [0, *itertools.accumulate(len(fp.anchors) for fp in fps)]
    codes, table = to_codes(itertools.chain.from_iterable(fp.anchors for fp in fps))
    return ptr, codes.tolist(), table


def test_arrow_codes_are_the_first_seen_codes() -> None:
    rng = np.random.default_rng(7)
    pool = ["nm:zoë", "num:3", "", "q:«ja»", "dt:2024-03-14", "nm:иван", "tb:a b", "yr:2024"]
    fps = [
        _fp(str(k), *(pool[i] for i in rng.integers(0, len(pool), int(rng.integers(0, 9)))))
        for k in range(60)
    ]
    fps.insert(3, _fp("empty"))
    ptr, codes, table = to_anchor_codes(fps)
    assert (ptr.tolist(), codes.tolist(), table) == _dict_codes(fps)
    assert list(table) == sorted(table, key=table.__getitem__)


def test_anchors_arrow_cannot_hold_take_the_dict_path() -> None:
    fps = [_fp("a", "nm:x", "q:\ud800"), _fp("b", "q:\ud800", "nm:y")]
    ptr, codes, table = to_anchor_codes(fps)
    assert (ptr.tolist(), codes.tolist(), table) == _dict_codes(fps)


def test_after_is_past_the_values_at_most_the_key() -> None:
    rng = np.random.default_rng(5)
    for _ in range(100):
        sizes = rng.integers(0, 6, size=int(rng.integers(1, 8)))
        ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        values = np.concatenate([np.sort(rng.integers(0, 9, k)) for k in sizes]).astype(np.int64)
        groups = rng.integers(0, len(sizes), size=int(rng.integers(0, 12))).astype(np.int64)
        keys = rng.integers(0, 11, size=len(groups)).astype(np.int64)
        expected = [
            int(ptr[g] + (values[ptr[g] : ptr[g + 1]] <= k).sum())
            for g, k in zip(groups.tolist(), keys.tolist(), strict=True)
        ]
        assert to_after(ptr, values, groups, keys).tolist() == expected
