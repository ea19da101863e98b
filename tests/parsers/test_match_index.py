"""Anchor codes numbered as the first-seen dict does; where later rows start in postings."""

from __future__ import annotations

import itertools
from typing import NoReturn

import numpy as np
import pytest

from parsers import match_index
from parsers.fingerprint import Fingerprint
from parsers.match_index import to_anchor_codes, to_codes, to_match_index, to_run_ends
from parsers.matching import LSH_BANDS, LSH_ROWS


def _fp(aid: str, *anchors: str) -> Fingerprint:
    """A fingerprint with only an id and anchors."""
    return Fingerprint(aid, "en", f"sha-{aid}", None, anchors=anchors)


def _dict_codes(fps: list[Fingerprint]) -> tuple[list[int], list[int], dict[str, int]]:
    """(ptr, codes, table) by the first-seen dict, the numbering the matcher relies on."""
    ptr = [0, *itertools.accumulate(len(fp.anchors) for fp in fps)]
    codes, table = to_codes(itertools.chain.from_iterable(fp.anchors for fp in fps))
    return ptr, codes.tolist(), table


def _no_dict_path(values: object, count: int = -1) -> NoReturn:
    """Stands in for to_codes where the Arrow path must give the codes itself."""
    raise AssertionError("the dict path was taken")


def test_arrow_codes_are_the_first_seen_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(match_index, "to_codes", _no_dict_path)
    rng = np.random.default_rng(7)
    pool = ["nm:zoë", "num:3", "", "q:«ja»", "dt:2024-03-14", "nm:иван", "tb:a b", "yr:2024"]
    # Anchors of a few articles each (k // 5): every part of the articles brings new ones.
    fps = [
        _fp(
            str(k),
            *(pool[i] for i in rng.integers(0, len(pool), int(rng.integers(0, 9)))),
            *(f"num:{k // 5}-{i}" for i in range(int(rng.integers(0, 4)))),
        )
        for k in range(60)
    ]
    fps.insert(3, _fp("empty"))
    # Encoded in ARROW_PARTS parts (in a thread with workers=2) and merged: the same codes.
    for workers in (1, 2):
        ptr, codes, table = to_anchor_codes(fps, workers)
        assert (ptr.tolist(), codes.tolist(), table) == _dict_codes(fps)
        assert list(table) == sorted(table, key=table.__getitem__)


def test_arrow_codes_of_few_or_no_articles_are_the_first_seen_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(match_index, "to_codes", _no_dict_path)
    cases = [[], [_fp("empty")], [_fp("a", "nm:x")], [_fp("a", "nm:x"), _fp("b"), _fp("c", "nm:x")]]
    for fps in cases:
        for workers in (1, 2):
            ptr, codes, table = to_anchor_codes(fps, workers)
            assert (ptr.tolist(), codes.tolist(), table) == _dict_codes(fps)


def test_anchors_arrow_cannot_hold_take_the_dict_path() -> None:
    fps = [_fp("a", "nm:x", "q:\ud800"), _fp("b", "q:\ud800", "nm:y")]
    ptr, codes, table = to_anchor_codes(fps)
    assert (ptr.tolist(), codes.tolist(), table) == _dict_codes(fps)


def _after(ptr: np.ndarray, values: np.ndarray, groups: np.ndarray, keys: np.ndarray) -> list[int]:
    """Per (group, key): the position just past the values <= key in the group's slice."""
    return [
        int(ptr[g] + (values[ptr[g] : ptr[g + 1]] <= k).sum())
        for g, k in zip(groups.tolist(), keys.tolist(), strict=True)
    ]


def _random_fps(rng: np.random.Generator, count: int) -> list[Fingerprint]:
    """Fingerprints of a few shared anchors, some repeated within one article."""
    pool = [f"nm:{k}" for k in range(7)]
    return [
        _fp(str(k), *(pool[i] for i in rng.integers(0, len(pool), int(rng.integers(0, 6)))))
        for k in range(count)
    ]


def test_run_ends_are_past_each_run_of_equal_values_within_a_slice() -> None:
    rng = np.random.default_rng(5)
    for _ in range(100):
        sizes = rng.integers(0, 6, size=int(rng.integers(1, 8)))
        ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        values = np.concatenate([np.sort(rng.integers(0, 4, k)) for k in sizes]).astype(np.int64)
        groups = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        assert to_run_ends(ptr, values).tolist() == _after(ptr, values, groups, values)


def test_post_after_is_past_each_occurrence_row_in_its_posting() -> None:
    rng = np.random.default_rng(9)
    repeats = 0
    for _ in range(20):
        fps = _random_fps(rng, int(rng.integers(1, 12)))
        # All postings (the default), and only those of anchors with df up to 1..3.
        for limit in (None, *range(1, 4)):
            index = to_match_index(fps, LSH_BANDS, LSH_ROWS, posting_limit=limit)
            rows = np.repeat(np.arange(len(index.ids), dtype=np.int64), np.diff(index.ptr))
            at = index.walked
            expected = _after(index.post_ptr, index.post_rows, index.occ[at], rows[at])
            assert index.post_after.tolist() == expected
        repeats += int(index.repeats.sum())
    # Articles that repeat an anchor hold runs longer than one in a posting.
    assert repeats > 0


def test_postings_are_kept_for_anchors_up_to_the_limit_only() -> None:
    rng = np.random.default_rng(11)
    dropped = 0
    for _ in range(20):
        fps = _random_fps(rng, int(rng.integers(1, 12)))
        full = to_match_index(fps, LSH_BANDS, LSH_ROWS)
        assert full.walked.tolist() == list(range(len(full.occ)))
        limit = int(rng.integers(1, 4))
        part = to_match_index(fps, LSH_BANDS, LSH_ROWS, posting_limit=limit)
        kept = full.df <= limit
        for a in range(len(full.df)):
            posting = full.post_rows[full.post_ptr[a] : full.post_ptr[a + 1]].tolist()
            held = part.post_rows[part.post_ptr[a] : part.post_ptr[a + 1]].tolist()
            assert held == (posting if kept[a] else [])
        assert part.walked.tolist() == np.flatnonzero(kept[full.occ]).tolist()
        # The same run ends as in the full postings, where kept, by their postings' starts.
        anchors = full.occ[part.walked]
        moved = full.post_after[part.walked] - full.post_ptr[anchors] + part.post_ptr[anchors]
        assert part.post_after.tolist() == moved.tolist()
        assert part.repeats.tolist() == full.repeats.tolist()
        dropped += int((~kept).sum())
    assert dropped > 0


def test_repeats_are_the_articles_naming_an_anchor_twice() -> None:
    fps = _random_fps(np.random.default_rng(12), 200)
    expected = [len(set(fp.anchors)) < len(fp.anchors) for fp in fps]
    assert any(expected) and not all(expected)
    # Sorted a few rows at a time too: each repeat lies within one chunk of rows.
    for chunk in (1 << 20, 3):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(match_index, "_CHECK_CHUNK", chunk)
            index = to_match_index(fps, LSH_BANDS, LSH_ROWS, posting_limit=1)
        assert index.repeats.tolist() == expected
