"""Clustering metrics on a tiny labelling with answers worked out by hand."""

from __future__ import annotations

import pytest

from parsers.metrics import (
    bcubed,
    by_language_pair,
    copy_recall,
    latin_only,
    pair_type,
    pairwise,
    recall_by_type,
)

# Gold: {a, b} and {c, d}. Predicted: {a, b, c} and {d}.
GOLD = {"a": "1", "b": "1", "c": "2", "d": "2"}
PRED = {"a": "x", "b": "x", "c": "x", "d": "y"}
LANG = {"a": "vi", "b": "de", "c": "ko", "d": "vi"}
TYPE = {"a": "source", "b": "translation", "c": "parallel_report", "d": "parallel_report"}


def test_pairwise_counts_pairs() -> None:
    # Predicted pairs ab, ac, bc; gold pairs ab, cd; only ab is right.
    s = pairwise(GOLD, PRED)
    assert (s.tp, s.predicted, s.gold) == (1, 3, 2)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_pairwise_with_a_filter_matches_enumeration() -> None:
    everything = pairwise(GOLD, PRED, keep=lambda a, b: True)
    assert everything == pairwise(GOLD, PRED)
    latin = pairwise(GOLD, PRED, latin_only(LANG))
    # Latin-script items a, b, d: predicted ab; gold ab.
    assert (latin.tp, latin.predicted, latin.gold) == (1, 1, 1)


def test_bcubed_by_hand() -> None:
    s = bcubed(GOLD, PRED)
    assert s.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert s.recall == pytest.approx((1 + 1 + 1 / 2 + 1 / 2) / 4)


def test_perfect_and_empty_clusterings() -> None:
    assert pairwise(GOLD, GOLD).f1 == 1.0
    assert bcubed(GOLD, GOLD).f1 == 1.0
    singletons = {k: k for k in GOLD}
    s = pairwise(GOLD, singletons)
    assert (s.precision, s.recall) == (1.0, 0.0)


def test_pair_type_is_the_looser_of_the_two() -> None:
    assert pair_type("source", "translation") == "translation"
    assert pair_type("translation", "parallel_report") == "parallel_report"
    assert pair_type("source", "source") == "source"


def test_recall_by_type_and_copy_recall() -> None:
    per = recall_by_type(GOLD, PRED, TYPE)
    assert per["translation"].recall == 1.0
    assert per["parallel_report"].recall == 0.0
    assert copy_recall(GOLD, PRED, TYPE).recall == 1.0


def test_by_language_pair() -> None:
    per = by_language_pair(GOLD, PRED, LANG)
    assert per["de-vi"].tp == 1  # ab
    assert per["ko-vi"].gold == 1 and per["ko-vi"].tp == 0  # cd missed, ac wrong
    assert per["ko-vi"].predicted == 1
