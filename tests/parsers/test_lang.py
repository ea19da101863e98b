"""Language detection: the vote summed piece by piece equals the vote over all the words."""

from __future__ import annotations

import unicodedata
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.lang import (
    MIN_SHARE,
    MIN_WORDS,
    STOPWORDS,
    UNKNOWN,
    VI_LETTERS,
    WORD,
    _detect_script,
    detect_lang,
)

TEXTS = st.lists(
    st.sampled_from(
        "der die und the and of le la et và của các là Việt Nam Hà Nội Der Über Đà "
        "ĐỂ de que een het yang dan il di . , \n 2023 Минск".split(" ")
        + [" ", "  ", "\n"]
    ),
    max_size=80,
).map(" ".join)


def _vote(text: str) -> str:
    """detect_lang with the stopword vote over the text's words counted in one go."""
    text = unicodedata.normalize("NFC", text)
    by_script = _detect_script(text)
    if by_script:
        return by_script
    words = [w.lower() for w in WORD.findall(text[:20000])]
    if len(words) < MIN_WORDS:
        return UNKNOWN
    counts = Counter(words)
    if sum(n for w, n in counts.items() if not VI_LETTERS.isdisjoint(w)) / len(words) > 0.15:
        return "vi"
    hits = {lang: sum(counts[w] for w in stop) for lang, stop in STOPWORDS.items()}
    lang, best = max(sorted(hits.items()), key=lambda kv: kv[1])
    total = sum(hits.values())
    if best < 2 or best / max(total, 1) < MIN_SHARE or best / len(words) < 0.05:
        return UNKNOWN
    return lang


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_piecewise_vote_equals_the_vote_over_all_words(text: str) -> None:
    assert detect_lang(text) == _vote(text)
