"""Name runs: the reordered run pattern and the word split find what the plain forms find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.anchors import _CAP_RUN_RE, _CAP_WORD, _name_anchors, to_names
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


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_names_are_read_as_by_a_letter_scan(text: str) -> None:
    for match, names in zip(_CAP_RUN_RE.findall(text), to_names(text), strict=True):
        runs = _runs_by_letters(match)
        assert names.runs == runs
        assert list(names.anchors) == _name_anchors(runs)
        native = [
            f"{fold_word(a)} {fold_word(b)}"
            for run in runs
            for a, b in zip(run, run[1:], strict=False)
            if not (a.isascii() and b.isascii())
        ]
        assert list(names.native) == native


def test_an_acronym_ends_a_name_and_sentence_words_drop_out() -> None:
    (names,) = to_names("Die Minister Nguyễn Mạnh Hùng PTIT Delegation")
    assert names.runs == (("Minister", "Nguyễn", "Mạnh", "Hùng"),)
    assert "nm:nguyen manh" in names.anchors and "ns:ngn mn" in names.anchors
    assert names.native == ("minister nguyen", "nguyen manh", "manh hung")
