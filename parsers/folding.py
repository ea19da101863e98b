"""Folding text to ASCII for matching across languages, and the dominant script of a text."""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np

_LATIN_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ł": "l",
        "Ł": "L",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "þ": "th",
        "ð": "d",
    }
)
# Russian/Ukrainian letters to Latin, tuned for foreign (mostly Vietnamese) names:
# Х is how Russian writes Vietnamese H (Хо Ши Мин), so it maps to h, not kh.
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
}
_CYRILLIC_FOLD = str.maketrans(
    {**_CYRILLIC, **{k.upper(): v.capitalize() for k, v in _CYRILLIC.items()}}
)
CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
# A letter of any script to_script counts but Latin: without one, the script is Latin.
NON_LATIN_SCRIPT_RE = re.compile(
    "[\u0370-\u04ff\u0590-\u06ff\u0900-\u0fff\u1100-\u11ff\u1780-\u17ff"
    "\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
)
_SPECIAL_LATIN_RE = re.compile("[đĐßøØæÆłŁœŒıþð]")
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Pieces longer than this (unspaced CJK text) are folded but not cached: they rarely repeat.
_CACHED_PIECE_CHARS = 48

# Script ranges of the letters, as sorted [start, end) code point bounds with a script index.
SCRIPTS = ("latin", "cyrillic", "cjk", "hangul", "arabic", "other")
_SCRIPT_RANGES = (
    (0x41, 0x5B, 0),
    (0x61, 0x7B, 0),
    (0xC0, 0x250, 0),
    (0x370, 0x400, 5),
    (0x400, 0x500, 1),
    (0x590, 0x600, 5),
    (0x600, 0x700, 4),
    (0x900, 0x1000, 5),
    (0x1100, 0x1200, 3),
    (0x1780, 0x1800, 5),
    (0x1E00, 0x1F00, 0),
    (0x3040, 0x3100, 2),
    (0x4E00, 0xA000, 2),
    (0xAC00, 0xD7B0, 3),
)
_NO_SCRIPT = len(SCRIPTS)
_SCRIPT_BOUNDS = np.array([b for lo, hi, _ in _SCRIPT_RANGES for b in (lo, hi)], dtype=np.uint32)
# Bucket i of searchsorted(bounds, cp, "right") - 1: even buckets are ranges, odd ones gaps.
_SCRIPT_OF_BUCKET = np.array(
    [_NO_SCRIPT]
    + [s for i, (_, _, script) in enumerate(_SCRIPT_RANGES) for s in (script, _NO_SCRIPT)],
    dtype=np.intp,
)


def fold_whole(text: str) -> str:
    """fold_ascii in one pass, without the per-word cache: for strings seen once."""
    if text.isascii():
        return text
    # str.translate is slow per character: only run the tables the text needs.
    if _SPECIAL_LATIN_RE.search(text):
        text = text.translate(_LATIN_FOLD)
    if CYRILLIC_RE.search(text):
        text = text.translate(_CYRILLIC_FOLD)
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


_fold_cached = functools.lru_cache(maxsize=1 << 14)(fold_whole)


def fold_ascii(text: str) -> str:
    """Fold to ASCII where letters allow: Nguyễn → Nguyen, Đà → Da, Хунг → Hung."""
    if text.isascii():
        return text
    # Folding maps each character on its own, and NFKD reorders combining marks only
    # between two starters: an ASCII space is one, so folding word by word (cached: words
    # repeat) gives the same text as folding the whole. Long pieces (unspaced CJK) rarely
    # repeat and are not cached.
    return " ".join(
        [
            _fold_cached(piece) if len(piece) <= _CACHED_PIECE_CHARS else fold_whole(piece)
            for piece in text.split(" ")
        ]
    )


@functools.lru_cache(maxsize=1 << 14)
def fold_word(word: str) -> str:
    """fold_ascii(word).lower(), cached: names repeat."""
    return fold_ascii(word).lower()


def to_script(text: str) -> str:
    """The dominant script of the letters: latin, cyrillic, cjk, hangul, arabic, other."""
    sample = text[:3000]
    if sample.isascii():
        return "latin"
    # Code points counted per script range in numpy: one pass instead of six regex scans.
    points = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    buckets = np.searchsorted(_SCRIPT_BOUNDS, points, side="right") - 1
    scripts = _SCRIPT_OF_BUCKET[buckets + 1]
    counts = np.bincount(scripts, minlength=_NO_SCRIPT + 1)[:_NO_SCRIPT]
    # The first script with the highest count wins ties, as in SCRIPTS order.
    best = int(np.argmax(counts))
    return SCRIPTS[best] if counts[best] else "latin"
