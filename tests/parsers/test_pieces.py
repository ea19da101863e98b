"""Reading a text piece by piece (memoised per piece) gives what reading it whole gives."""

from __future__ import annotations

import gc
import re
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.folding import CYRILLIC_RE, NON_LATIN_SCRIPT_RE, fold_ascii, fold_whole
from parsers.memo import Memo
from parsers.pieces import (
    ACRONYM_RE,
    ACRONYMS,
    CODE_RE,
    CODES,
    HAS_CYRILLIC,
    HAS_DIGITS,
    HAS_LOWER_DIGITS,
    HAS_LOWER_WIDE_DIGITS,
    HAS_NON_LATIN,
    HAS_WIDE_DIGITS,
    LETTERS_RE,
    LOWER,
    MONTH_SPANS,
    to_flags,
    to_lower,
    to_pieces,
    to_prefix_pieces,
    to_run_starts,
    to_word_hashes,
)
from parsers.vocab import MONTH_KEYS

# Characters where piecewise reading could go wrong: combining marks next to spaces, letters
# that fold to two (ß, ж), digits that fold to ASCII (２, ²), scripts, separators, quotes.
CHARS = list(
    "aAzZ09 .,-/:'’\n\t\u00a0\u202f–„“«»&%"
    "\u0301\u0308\u0323\u0302ễạđĐäößÄøŁﬁİΣΟΔς"
    "МинХунгсентябряіЇ年月日월년東한٢٦２０²"
)
TEXTS = st.lists(
    st.one_of(
        st.sampled_from(CHARS),
        st.sampled_from(["Sept", "tháng", "März", "mai", "TT&TT", "5G", "COVID-19", "2023"]),
    ),
    max_size=60,
).map("".join)
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+")
_RUN_START_RE = re.compile(r"\d(?<!\d\d)")


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_folding_word_by_word_equals_folding_whole(text: str) -> None:
    assert fold_ascii(text) == fold_whole(text)
    assert to_lower(to_pieces(text)) == fold_whole(text).lower()


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_piece_words_hash_like_the_words_of_the_whole_text(text: str) -> None:
    expected = [zlib.crc32(w.lower().encode("utf-8")) for w in LETTERS_RE.findall(text)]
    assert to_word_hashes(to_pieces(text)).tolist() == expected


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_piece_acronyms_and_codes_are_those_of_the_whole_text(text: str) -> None:
    pieces = to_pieces(text)
    acronyms = [
        f"acr:{fold_ascii(a)}"
        for a in ACRONYM_RE.findall(text)
        if sum(c.isupper() for c in a) >= 2 and len(a) <= 10
    ]
    codes = [f"code:{c.lower().replace('-', '')}" for c in CODE_RE.findall(text)]
    assert [a for p in pieces for a in p[ACRONYMS]] == acronyms
    assert [c for p in pieces for c in p[CODES]] == codes


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_piece_months_are_the_month_tokens_of_the_whole_text(text: str) -> None:
    lower = fold_whole(text).lower()
    found = [p[LOWER][s:e] for p in to_pieces(text) for s, e in p[MONTH_SPANS]]
    assert found == [t for t in _TOKEN_RE.findall(lower) if t in MONTH_KEYS]


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_flags_say_what_the_whole_text_holds(text: str) -> None:
    flags = to_flags(to_pieces(text))
    lower = fold_whole(text).lower()
    assert bool(flags & HAS_CYRILLIC) == bool(CYRILLIC_RE.search(text))
    assert bool(flags & HAS_NON_LATIN) == bool(NON_LATIN_SCRIPT_RE.search(text))
    assert bool(flags & HAS_DIGITS) == bool(re.search(r"\d", text))
    assert bool(flags & HAS_LOWER_DIGITS) == bool(re.search(r"\d", lower))
    assert bool(flags & HAS_WIDE_DIGITS) == bool(re.search(r"(?![0-9])\d", text))
    assert bool(flags & HAS_LOWER_WIDE_DIGITS) == bool(re.search(r"(?![0-9])\d", lower))


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_run_starts_by_substring_search_equal_a_regex_scan(text: str) -> None:
    expected = [m.start() for m in _RUN_START_RE.finditer(text)]
    assert to_run_starts(text, wide_digits=True) == expected
    if not re.search(r"(?![0-9])\d", text):
        assert to_run_starts(text, wide_digits=False) == expected


@settings(max_examples=100, deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=70))
def test_prefix_pieces_are_the_pieces_of_the_prefix(text: str, end: int) -> None:
    assert to_prefix_pieces(text, to_pieces(text), end) == to_pieces(text[:end])


def test_memo_starts_over_when_full_and_keeps_long_keys_out() -> None:
    calls: list[str] = []
    memo = Memo(lambda key: calls.append(key) or key.upper(), size=2, max_chars=3)
    assert [memo["a"], memo["b"], memo["a"]] == ["A", "B", "A"]
    assert calls == ["a", "b"]
    assert memo["c"] == "C" and set(memo) == {"c"}
    assert memo["long"] == "LONG" and "long" not in memo


def test_memo_keeps_pair_keys() -> None:
    memo: Memo[tuple[str, str], str] = Memo(lambda pair: " ".join(pair), size=4, max_chars=2)
    assert memo["a", "b"] == "a b" and ("a", "b") in memo


def test_pieces_are_plain_tuples_the_collector_untracks() -> None:
    # The memo keeps ~32k pieces alive: a collection untracks them, and later ones skip them.
    pieces = to_pieces("Am 26. Mai 2023 sagte TT&TT: 5G für Hà Nội, März 2024.")
    # A collection untracks a tuple whose items it untracked before: one level of nesting
    # (month spans in a tuple in the piece) per collection.
    for _ in range(3):
        gc.collect()
    assert all(type(piece) is tuple for piece in pieces)
    assert not any(map(gc.is_tracked, pieces))
