"""Name runs: the reordered run pattern and the word split find what the plain forms find."""

from __future__ import annotations

import gc
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.anchors import (
    _CAP_RUN_RE,
    _CAP_WORD,
    _PAIRS,
    _name_anchors,
    to_name_runs,
    to_names,
)
from parsers.folding import fold_word
from parsers.pieces import LETTERS_RE
from parsers.vocab import NOT_NAMES

# The run pattern as first written, look-behind first (slower: no character to skip to).
PLAIN_CAP_RUN_RE = re.compile(f"(?<![^\\W\\d_]){_CAP_WORD}(?:[ \u00a0\\-'’]+{_CAP_WORD})+")
WORDS = st.sampled_from(
    ["Nguyễn", "Mạnh", "Hùng", "Hà", "Nội", "PTIT", "Die", "Delegation", "und", "O", "Brien"]
)
GLUE = st.sampled_from([" ", "  ", "\u00a0", "-", "'", "’", " - ", ", ", ".", "x", "1", ""])
TEXTS = st.lists(st.tuples(WORDS, GLUE), max_size=20).map(
    lambda parts: "".join(w + g for w, g in parts)
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_reordered_run_pattern_finds_the_same_runs(text: str) -> None:
    assert _CAP_RUN_RE.findall(text) == PLAIN_CAP_RUN_RE.findall(text)


def _runs_by_letters(match: str) -> tuple[tuple[str, ...], ...]:
    """The runs of one match as first written: letter scan, then word by word."""
    runs: list[tuple[str, ...]] = []
    run: list[str] = []
    for word in LETTERS_RE.findall(match):
        if len(word) > 1 and word.isupper():
            if len(run) >= 2:
                runs.append(tuple(run))
            run = []
        elif fold_word(word) not in NOT_NAMES:
            run.append(word)
    if len(run) >= 2:
        runs.append(tuple(run))
    return tuple(runs)


def _native_by_letters(runs: tuple[tuple[str, ...], ...]) -> list[str]:
    """The folded bigrams of the runs with a non-ASCII word, as first written."""
    return [
        f"{fold_word(a)} {fold_word(b)}"
        for run in runs
        for a, b in zip(run, run[1:], strict=False)
        if not (a.isascii() and b.isascii())
    ]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_names_are_read_as_by_a_letter_scan(text: str) -> None:
    runs = [run for match in _CAP_RUN_RE.findall(text) for run in _runs_by_letters(match)]
    anchors, native = to_names(text)
    assert to_name_runs(text) == [list(run) for run in runs]
    assert anchors == _name_anchors(runs)
    assert native == _native_by_letters(tuple(runs))


@settings(max_examples=100, deadline=None)
@given(st.lists(TEXTS, min_size=2, max_size=4))
def test_names_do_not_depend_on_what_the_pair_memo_holds(texts: list[str]) -> None:
    # Pairs are read once and kept: reading a text after others, or after the memo started
    # over, gives what reading it first gives.
    first = [to_names(text) for text in texts]
    _PAIRS.clear()
    assert [to_names(text) for text in reversed(texts)] == first[::-1]


def test_an_acronym_ends_a_name_and_sentence_words_drop_out() -> None:
    text = "Die Minister Nguyễn Mạnh Hùng PTIT Delegation"
    anchors, native = to_names(text)
    assert to_name_runs(text) == [["Minister", "Nguyễn", "Mạnh", "Hùng"]]
    assert "nm:nguyen manh" in anchors and "ns:ngn mn" in anchors
    assert native == ["minister nguyen", "nguyen manh", "manh hung"]
    assert not any("delegation" in a or "ptit" in a for a in anchors)


def test_runs_end_where_their_match_ends() -> None:
    # Two matches, one right after the other: no pair reaches across them.
    anchors, _ = to_names("Hà Nội, Delegation Hùng")
    assert anchors == ["nm:ha noi", "ns:h n", "nm:delegation hung", "ns:dlgtn hng"]


def test_memoised_pairs_are_plain_tuples_the_collector_untracks() -> None:
    to_names("Minister Nguyễn Mạnh Hùng traf Delegation Hà Nội")
    # One level of nesting untracked per collection (see test_pieces).
    for _ in range(3):
        gc.collect()
    assert _PAIRS and not any(map(gc.is_tracked, _PAIRS.values()))
