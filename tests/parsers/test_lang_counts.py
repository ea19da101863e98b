"""Packed word counts: each count in its own field, none spilling into the next."""

from __future__ import annotations

from parsers.lang import _FIELD_BITS, STOPWORDS, _read_words, detect_lang


def test_a_piece_counts_words_vietnamese_words_and_stopwords_apart() -> None:
    # "của" is Vietnamese and a Vietnamese stopword; "die" a German one; "xyz" neither.
    words = {"của": ("vi",), "die": ("de",), "xyz": ()}
    for word, langs in words.items():
        counts = _read_words(f"{word}.{word}")
        fields = [counts >> (20 * i) & 0xFFFFF for i in range(2 + len(STOPWORDS))]
        assert fields[0] == 2
        assert fields[1] == (2 if word == "của" else 0)
        assert fields[2:] == [2 if lang in langs else 0 for lang in STOPWORDS]


def test_the_longest_text_read_keeps_its_counts_apart() -> None:
    # detect_lang reads 20,000 characters: at most 10,000 words, each a stopword here.
    counts = sum(map(_read_words, ("die " * 5000 + "a " * 5000).split()))
    fields = [counts >> (_FIELD_BITS * i) & ((1 << _FIELD_BITS) - 1) for i in range(11)]
    assert fields[:2] == [10_000, 0]
    assert fields[2:] == [
        5000 * (lang == "de") + 5000 * ("a" in STOPWORDS[lang]) for lang in STOPWORDS
    ]
    assert counts >> (_FIELD_BITS * 11) == 0


def test_counts_past_a_narrow_field_still_decide() -> None:
    # 4,096 words (2**12): a count cut to fewer bits would read as no words at all.
    assert detect_lang("die " * 4096) == "de"
    assert detect_lang("của " * 4096) == "vi"
