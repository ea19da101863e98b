"""Script detection: counting code points in numpy agrees with counting them by regex."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.folding import NON_LATIN_SCRIPT_RE, SCRIPTS, to_script

# The character classes to_script counts, as regexes (its definition before numpy).
SCRIPT_RES = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "cjk": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff]"),
    "other": re.compile(r"[\u0370-\u03ff\u0590-\u05ff\u0900-\u0dff\u0e00-\u0fff\u1780-\u17ff]"),
}


def _by_regex(text: str) -> str:
    """The most frequent script by regex counts, first in SCRIPTS order on ties."""
    counts = {name: len(SCRIPT_RES[name].findall(text[:3000])) for name in SCRIPTS}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "latin"


# Latin, Vietnamese, Cyrillic, Greek, CJK, kana, Hangul, Arabic, Thai, Khmer, an emoji and a
# lone surrogate.
CHARS = list("aZé ễ.9МиΣ東あ한ب\u0e01\u17a0\U0001f600\ud800")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(CHARS), max_size=50))
def test_script_counts_agree_with_regex_counts(text: str) -> None:
    assert to_script(text) == _by_regex(text)


def test_non_latin_letters_are_those_of_the_other_scripts() -> None:
    others = "".join(SCRIPT_RES[name].pattern[1:-1] for name in SCRIPTS if name != "latin")
    every = re.compile(f"[{others}]")
    for code in range(0x10000):
        ch = chr(code)
        assert bool(NON_LATIN_SCRIPT_RE.match(ch)) == bool(every.match(ch)), hex(code)
