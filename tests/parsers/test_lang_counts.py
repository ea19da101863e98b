"""Word class codes: one byte a word, read alike from pieces and from Latin-1 bytes."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.lang import (
    _CLASSES,
    _LATIN1_LOWER_WORDS,
    _PIECE_WORDS,
    STOPWORDS,
    VI_LETTERS,
    WORD,
    _read_latin1_words,
    _read_words,
    _vote,
    detect_lang,
    detect_nfc_lang,
)

# Latin-1 words and separators, with upper case, digits, ¹ ½ µ ß and the stopwords that are
# Latin-1 ("für", "été", "và").
LATIN1_TEXTS = st.lists(
    st.sampled_from(
        "der Die UND the AND of le été et và có là DE que Für ÜBER über más È più não "
        "2023 x² ½ µm Straße _a a_b ÀÉÎ . , - \xa0 \x85 \x1c \t \n".split(" ")
        + [" ", "  ", "\n", "\xa0", "\x85", "\x1f"]
    )
    | st.text(st.characters(max_codepoint=0xFF), max_size=4),
    max_size=60,
).map("".join)


def test_a_piece_reads_one_class_code_a_word() -> None:
    # "của" is Vietnamese and a Vietnamese stopword; "die" a German one; "xyz" neither.
    for word, (vi, langs) in {"của": (True, {"vi"}), "die": (False, {"de"})}.items():
        codes = _read_words(f"{word}.{word.upper()}")
        assert len(codes) == 2 and codes[0] == codes[1]
        assert _CLASSES[codes[0]] == (vi, frozenset(langs))
    assert _read_words("xyz,đi") == bytes([0, 1])
    assert _read_words("2023") == b""


def test_every_class_fits_a_byte_and_only_plain_words_read_zero() -> None:
    assert len(_CLASSES) <= 256
    assert _CLASSES[0] == (False, frozenset())
    assert all(vi or langs for vi, langs in _CLASSES[1:])


def test_latin1_lowers_within_itself_and_holds_no_vietnamese_letter() -> None:
    # What _read_latin1_words relies on: a Latin-1 word lower-cases letter by letter.
    latin1 = [chr(c) for c in range(256)]
    assert all(len(ch.lower()) == 1 and ch.lower() <= "\xff" for ch in latin1)
    assert VI_LETTERS.isdisjoint(latin1)
    assert len(_LATIN1_LOWER_WORDS) == 256


@settings(max_examples=300, deadline=None)
@given(LATIN1_TEXTS)
def test_latin1_bytes_read_the_codes_that_pieces_read(text: str) -> None:
    from_pieces = b"".join(map(_PIECE_WORDS.__getitem__, text.split()))
    assert _read_latin1_words(text.encode("latin-1")) == from_pieces
    assert len(from_pieces) == len(WORD.findall(text))


def test_the_longest_text_read_counts_every_word() -> None:
    # detect_lang reads 20,000 characters: at most 10,000 words, each a stopword here.
    text = "die " * 5000 + "a " * 5000
    codes = _read_latin1_words(text.encode("latin-1"))
    assert len(codes) == 10_000
    assert _vote(codes) == "de"
    assert detect_lang(text + "the " * 3000) == "de"


def test_counts_past_a_narrow_field_still_decide() -> None:
    # 4,096 words (2**12): a count cut to fewer bits would read as no words at all.
    assert detect_lang("die " * 4096) == "de"
    assert detect_lang("của " * 4096) == "vi"


@settings(max_examples=200, deadline=None)
@given(LATIN1_TEXTS)
def test_nfc_text_needs_no_second_normalisation(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    assert detect_nfc_lang(nfc) == detect_lang(text)


def test_stopword_lists_are_lower_case() -> None:
    assert all(word == word.lower() for stop in STOPWORDS.values() for word in stop)
