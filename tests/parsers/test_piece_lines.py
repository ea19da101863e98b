"""A piece with line breaks reads as its lines read, joined: what reading it whole gives."""

from __future__ import annotations

import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.folding import fold_whole
from parsers.pieces import (
    ACRONYMS,
    CODES,
    FLAGS,
    HAS_CYRILLIC,
    HAS_DIGITS,
    HAS_MONTHS,
    LETTERS_RE,
    LOWER,
    MONTH_SPANS,
    to_pieces,
    to_word_hashes,
)
from parsers.vocab import MONTH_KEYS

# Pieces (no ASCII space) of words, months, acronyms, codes, digits, other scripts and
# combining marks, joined by one or more line breaks.
LINES = st.lists(
    st.sampled_from(
        ["wurde.", "Aber", "März", "Sept", "TT&TT", "5G", "COVID-19", "2023", "Ảnh", "Хунг"]
        + ["\u0301", "ΟΔΟΣ", "İ", "", "mai,", "(PTIT)", "x"]
    ),
    min_size=2,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(LINES, st.sampled_from(["\n", "\n\n"]))
def test_a_piece_with_line_breaks_reads_as_a_whole(lines: list[str], brk: str) -> None:
    piece = brk.join(lines)
    [read] = to_pieces(piece)
    lower = fold_whole(piece).lower()
    assert read[LOWER] == lower
    months = [(m.start(), m.end()) for m in LETTERS_RE.finditer(lower)]
    assert list(read[MONTH_SPANS]) == [(s, e) for s, e in months if lower[s:e] in MONTH_KEYS]
    assert bool(read[FLAGS] & HAS_MONTHS) == bool(read[MONTH_SPANS])
    assert bool(read[FLAGS] & HAS_DIGITS) == any(c.isdecimal() for c in piece)
    assert bool(read[FLAGS] & HAS_CYRILLIC) == ("Хунг" in lines)
    expected = [zlib.crc32(w.lower().encode("utf-8")) for w in LETTERS_RE.findall(piece)]
    assert to_word_hashes([read]).tolist() == expected


def test_acronyms_and_codes_of_every_line_in_order() -> None:
    [read] = to_pieces("TT&TT\nCOVID-19\n(PTIT)\n5G")
    assert read[ACRONYMS] == ("acr:TT&TT", "acr:COVID", "acr:PTIT")
    assert read[CODES] == ("code:covid19", "code:5g")
