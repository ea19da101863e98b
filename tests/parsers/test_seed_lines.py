"""Seed text to lines: the Latin-1 and whole-text shortcuts give what the plain steps give."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.errors import ParseError
from parsers.seed_text import _clean, _clean_lines, _normalize, parse_seed_text

# Latin-1 and past it: combining marks (decomposed Vietnamese), CR, controls, no-break and
# other spaces, soft hyphen, a lone surrogate.
RAW_TEXTS = st.lists(
    st.sampled_from(
        "Việt Nam e\u0301 A\u0300 a\u0323\u0302 Über Straße der die của \u00ad \u200b "
        "Foto: PV \x00 \x07 \x85 \x1c \u2028 \u3000 \u2000 \u2001 \ud800 — „x“".split(" ")
        + [" ", "  ", "\n", "\r", "\r\n", "\t", "\xa0", "\n\n", " \n", "\n "]
    )
    | st.text(max_size=3),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(RAW_TEXTS)
def test_normalize_is_nfc_then_line_breaks_and_printable_lines(raw: str) -> None:
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    assert _normalize(raw) == (text, all(map(str.isprintable, text.split("\n"))))


@settings(max_examples=400, deadline=None)
@given(RAW_TEXTS)
def test_clean_lines_cleans_every_line(raw: str) -> None:
    text, printable = _normalize(raw)
    assert _clean_lines(text, printable) == [_clean(line) for line in text.split("\n")]


def test_latin1_text_is_nfc() -> None:
    # _normalize skips NFC for Latin-1: no pair of its characters composes or reorders.
    latin1 = [chr(c) for c in range(256)]
    assert all(unicodedata.is_normalized("NFC", a + b) for a in latin1 for b in latin1)


@settings(max_examples=300, deadline=None)
# No lone surrogate here: the Article's content hash (UTF-8) refuses one, before and now.
@given(RAW_TEXTS.map(lambda body: "Tiêu đề của bài\n" + body.replace("\ud800", "") + "\nNội dung."))
def test_the_text_given_to_detect_lang_is_nfc(raw: str) -> None:
    # parse_seed_text calls detect_nfc_lang on its title and body joined: they must be NFC.
    try:
        article = parse_seed_text(raw, "x.txt")
    except ParseError:
        return
    joined = "\n".join([article.title or "", *article.body])
    assert unicodedata.is_normalized("NFC", joined)
