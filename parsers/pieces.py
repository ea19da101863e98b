"""Per-piece readings of a text, memoised: the pieces between ASCII spaces repeat across texts.

Folding, lower-casing, month words, acronyms, codes and words never reach across an ASCII
space (an NFKD starter, not a letter, digit or case-ignorable character), so reading a text
piece by piece gives what reading it whole gives, and a repeated piece costs one dict lookup.
Runs of capitalised words (names) do reach across spaces: a piece holds its part of them and
whether its ends are open (_read_names). Each pass over a text's pieces costs about as much as
one regex scan of the text: readers test the pieces' `flags` once and visit only the pieces that
hold what they look for.
"""

from __future__ import annotations

import array
import functools
import itertools
import operator
import re
import sys
import zlib
from operator import itemgetter
from typing import Final

import numpy as np

from parsers.folding import CYRILLIC_RE, NON_LATIN_SCRIPT_RE, fold_whole
from parsers.memo import Memo
from parsers.vocab import MONTH_KEYS, NOT_NAMES

LETTERS_RE = re.compile(r"[^\W\d_]+")
ACRONYM_RE = re.compile(r"(?<![\w&])([A-Z][A-Z0-9]*(?:&[A-Z]+)?[A-Z0-9]*)(?![\w&])")
# Codes like 5G, COVID-19, U23: digits with letters after them, or 1-6 letters before them.
CODE_RE = re.compile(r"(?<![\w.])(\d+[A-Za-z]{1,3}|[A-Za-z]{1,6}-?\d+[A-Za-z]?)(?![\w])")
_DIGIT_RE = re.compile(r"\d")
_RUN_START_RE = re.compile(r"\d(?<!\d\d)")
# A decimal digit other than 0-9 (Arabic-Indic, fullwidth, ...).
_WIDE_DIGIT_RE = re.compile(r"(?![0-9])\d")
# Capital letters that start a name word: Latin, Greek, Cyrillic, Latin Extended Additional.
UPPER = "".join(
    c
    for r in ((0x41, 0x250), (0x370, 0x530), (0x1E00, 0x1F00))
    for c in map(chr, range(*r))
    if c.isupper()
)
# Separators within a run of capitalised words (parsers.anchors._CAP_RUN_RE); an ASCII space,
# the one between pieces, is one too.
RUN_SEPARATORS = "\u00a0-'’"
# A run of one or more capitalised words within one piece: _CAP_RUN_RE, one word allowed.
_CAP_CHAIN_RE = re.compile(
    f"[{UPPER}](?<![^\\W\\d_].)[^\\W\\d_]*+(?:[ \u00a0\\-'’]++[{UPPER}][^\\W\\d_]*+)*"
)
_SKELETON_DROP_RE = re.compile(r"[aeiouyhw]")
_SKELETON_REPEAT_RE = re.compile(r"(.)\1+")

# Bits of Piece.flags.
HAS_MONTHS = 1
HAS_CYRILLIC = 2
HAS_NON_LATIN = 4
HAS_ACRONYMS_OR_CODES = 8
HAS_DIGITS = 16
HAS_LOWER_DIGITS = 32
HAS_WIDE_DIGITS = 64
HAS_LOWER_WIDE_DIGITS = 128


# What a word of a run of capitalised words is: an acronym ends a name, a sentence word drops
# out (falsy), any other word is a name word (folded, skeleton, ASCII or not).
NameWord = tuple[str, str, bool]
ACRONYM: NameWord = ("", "", True)
_NOT_NAME: tuple[()] = ()
# Where a run of name words ends (a run's end, an acronym, a piece without runs).
RUN_BREAK = "\n"


@functools.lru_cache(maxsize=1 << 14)
def to_skeleton(word: str) -> str:
    """Consonant skeleton of a folded name word, for transliteration variants.

    Nguyen/Nguen → ngn, Manh/Man → mn: drops vowels, y, w and h after the first letter.
    """
    if not word:
        return word
    rest = _SKELETON_DROP_RE.sub("", word[1:])
    return _SKELETON_REPEAT_RE.sub(r"\1", word[0] + rest)


def _read_word(word: str) -> NameWord | tuple[()]:
    """A word of a run as the name readers need it: ACRONYM, _NOT_NAME or the name word."""
    if len(word) > 1 and word.isupper():
        return ACRONYM
    folded = fold_whole(word).lower()
    if folded in NOT_NAMES:
        return _NOT_NAME
    return folded, to_skeleton(folded), word.isascii()


# Name words repeat far more than runs of them.
WORDS = Memo(_read_word, size=1 << 14, max_chars=64)


def _to_name_text(word: str) -> str:
    """A run word as the joined names of the pieces hold it (see _read_names)."""
    entry = WORDS[word]
    if entry is ACRONYM:
        return RUN_BREAK
    return f"{word} " if entry else ""


def _read_names(piece: str) -> str:
    """The piece's part of the text's name words: each followed by a space, RUN_BREAK between
    runs (see parsers.anchors.read_names)."""
    # A run reaches across the ASCII spaces around the piece when its first word starts the
    # piece, or its last ends it, with only separators in between. A piece of separators only
    # is none of the runs' business; any other piece without a run ends the run before it.
    chains = list(_CAP_CHAIN_RE.finditer(piece))
    if not chains:
        return RUN_BREAK if piece.strip(RUN_SEPARATORS) else ""
    # Anything but separators before the first run ends the run of the pieces before.
    parts = [RUN_BREAK] if piece[: chains[0].start()].strip(RUN_SEPARATORS) else []
    for chain in chains:
        run = chain.group(0).replace("-", " ").replace("'", " ").replace("’", " ")
        parts.extend(map(_to_name_text, run.split()))
        parts.append(RUN_BREAK)
    if not piece[chains[-1].end() :].strip(RUN_SEPARATORS):
        # The last run goes on into the next piece.
        parts.pop()
    return "".join(parts)


# What the anchor readers and the MinHash need from one piece of text, as a plain tuple: a
# NamedTuple is built by a Python-level __new__ (1.4 us a miss, measured on German seeds),
# and CPython's collector untracks a plain tuple of untracked values, never a NamedTuple.
Piece = tuple[
    int, str, tuple[tuple[int, int], ...], tuple[str, ...], tuple[str, ...], bool, bytes, str
]
# Its fields, by position (Final: a literal index types the field).
FLAGS: Final = 0
# fold_ascii(piece).lower(): dates and numbers are read from it.
LOWER: Final = 1
# (start, end) of each month word in LOWER.
MONTH_SPANS: Final = 2
# "acr:" and "code:" anchors, interned: a piece's anchors recur in every text that holds it.
ACRONYMS: Final = 3
CODES: Final = 4
ACRONYMS_OR_CODES: Final = 5
# crc32 of each word (run of letters) lower-cased, as uint64 bytes: the MinHash input.
WORD_HASHES: Final = 6
# The piece's name words and run breaks, as a string to join (see _read_names).
NAMES: Final = 7


def _read_piece(piece: str) -> Piece:
    """Read one piece of text."""
    if "\n" in piece:
        return _read_lines(piece.split("\n"))
    if piece.isascii() and piece.isalpha():
        # One ASCII word, the commonest piece: no digit, no code, no other script, nothing
        # to fold; an acronym only if all capitals.
        lower = piece.lower()
        acronym = piece.isupper() and 2 <= len(piece) <= 10
        return (
            (HAS_MONTHS if lower in MONTH_KEYS else 0) | (HAS_ACRONYMS_OR_CODES if acronym else 0),
            lower,
            ((0, len(lower)),) if lower in MONTH_KEYS else (),
            (sys.intern(f"acr:{piece}"),) if acronym else (),
            (),
            acronym,
            _to_bytes([zlib.crc32(lower.encode("utf-8"))]),
            # A capital A-Z first makes the word a run of its own (that the spaces around may
            # go on); any other, a lower-case word, ends the run before it.
            _to_name_text(piece) if "A" <= piece[0] <= "Z" else RUN_BREAK,
        )
    wide = not piece.isascii()
    hashes: list[int] = []
    months: list[tuple[int, int]] = []
    if wide:
        lower = fold_whole(piece).lower()
        months = [m.span() for m in LETTERS_RE.finditer(lower) if m.group(0) in MONTH_KEYS]
        hashes = [zlib.crc32(w.lower().encode("utf-8")) for w in LETTERS_RE.findall(piece)]
    else:
        # ASCII lower-casing keeps letters letters, in place: one scan of the lower-case piece
        # gives the words to hash and the month words.
        lower = piece.lower()
        for m in LETTERS_RE.finditer(lower):
            word = m.group(0)
            hashes.append(zlib.crc32(word.encode("ascii")))
            if word in MONTH_KEYS:
                months.append(m.span())
    # An acronym needs a capital A-Z, which lower-casing changes.
    acronyms = tuple(
        [
            sys.intern(f"acr:{fold_whole(acr)}")
            for acr in (ACRONYM_RE.findall(piece) if piece != piece.lower() else ())
            if sum(c.isupper() for c in acr) >= 2 and len(acr) <= 10
        ]
    )
    digits = _DIGIT_RE.search(piece) is not None
    # A code holds a digit.
    codes = tuple(
        [sys.intern(f"code:{code.lower().replace('-', '')}") for code in CODE_RE.findall(piece)]
        if digits
        else ()
    )
    flags = (
        (HAS_MONTHS if months else 0)
        | (HAS_ACRONYMS_OR_CODES if acronyms or codes else 0)
        | (HAS_DIGITS if digits else 0)
    )
    if wide:
        # Cyrillic is one of the other scripts; wide digits are digits.
        if NON_LATIN_SCRIPT_RE.search(piece):
            flags |= HAS_NON_LATIN | (HAS_CYRILLIC if CYRILLIC_RE.search(piece) else 0)
        if digits and _WIDE_DIGIT_RE.search(piece):
            flags |= HAS_WIDE_DIGITS
        if _DIGIT_RE.search(lower):
            flags |= HAS_LOWER_DIGITS | (
                HAS_LOWER_WIDE_DIGITS if _WIDE_DIGIT_RE.search(lower) else 0
            )
    elif digits:
        # ASCII: lower-casing keeps the digits where they are.
        flags |= HAS_LOWER_DIGITS
    return (
        flags,
        lower,
        tuple(months),
        acronyms,
        codes,
        bool(acronyms or codes),
        _to_bytes(hashes),
        _read_names(piece),
    )


def _read_lines(lines: list[str]) -> Piece:
    """Read a piece with line breaks from the readings of its lines."""
    # Most pieces the memo misses join a paragraph's last word and the next one's first
    # ("wurde.\nAber"): each line is a piece the memo holds. A line break, like a space, is
    # reached across by no reading (folding, case, words, acronyms, codes, months; it ends a
    # run of names), so the piece reads as its lines read, joined.
    parts = list(map(_PIECES.__getitem__, lines))
    lower = "\n".join(map(_LOWER, parts))
    months: list[tuple[int, int]] = []
    at = 0
    for part in parts:
        months.extend((start + at, end + at) for start, end in part[MONTH_SPANS])
        at += len(part[LOWER]) + 1
    acronyms = tuple(itertools.chain.from_iterable(map(itemgetter(ACRONYMS), parts)))
    codes = tuple(itertools.chain.from_iterable(map(itemgetter(CODES), parts)))
    return (
        to_flags(parts),
        lower,
        tuple(months),
        acronyms,
        codes,
        bool(acronyms or codes),
        b"".join(map(_WORD_HASHES, parts)),
        "\n".join(map(_NAMES, parts)),
    )


def _to_bytes(hashes: list[int]) -> bytes:
    """crc32 values as native uint64 bytes, for numpy.frombuffer."""
    return array.array("Q", hashes).tobytes()


_FLAGS = itemgetter(FLAGS)
_LOWER = itemgetter(LOWER)
_WORD_HASHES = itemgetter(WORD_HASHES)
_NAMES = itemgetter(NAMES)

# About 16 MB when full. The 32k commonest pieces of the 20k benchmark articles make up 99.3%
# of their pieces. Longer pieces (unspaced CJK text) are read each time.
_PIECES = Memo(_read_piece, size=1 << 15, max_chars=48)


def to_pieces(text: str) -> list[Piece]:
    """The readings of the text's pieces between ASCII spaces, in order."""
    return list(map(_PIECES.__getitem__, text.split(" ")))


def to_prefix_pieces(text: str, pieces: list[Piece], end: int) -> list[Piece]:
    """to_pieces(text[:end]), from the pieces of the text: only a cut last piece is read."""
    if end >= len(text):
        return pieces
    whole = text.count(" ", 0, end)
    return [*pieces[:whole], _PIECES[text[text.rfind(" ", 0, end) + 1 : end]]]


def to_name_text(pieces: list[Piece]) -> str:
    """The pieces' name words, each followed by a space, RUN_BREAK between runs (repeated)."""
    return "".join(map(_NAMES, pieces))


def to_flags(pieces: list[Piece]) -> int:
    """The flags of any of the pieces."""
    return functools.reduce(operator.or_, set(map(_FLAGS, pieces)), 0)


def to_lower(pieces: list[Piece]) -> str:
    """fold_ascii(text).lower() of the pieces' text."""
    return " ".join(map(_LOWER, pieces))


def to_word_hashes(pieces: list[Piece]) -> np.ndarray:
    """The crc32 hashes (uint64) of the pieces' words, lower-cased, in text order."""
    return np.frombuffer(b"".join(map(_WORD_HASHES, pieces)), dtype=np.uint64)


def to_run_starts(text: str, wide_digits: bool) -> list[int]:
    """Where the runs of digits start; wide_digits: the text may hold digits other than 0-9."""
    # Without wide digits, ten substring searches find the digits 4x faster than a regex.
    if wide_digits:
        return [m.start() for m in _RUN_START_RE.finditer(text)]
    digits: list[int] = []
    for digit in "0123456789":
        i = text.find(digit)
        while i != -1:
            digits.append(i)
            i = text.find(digit, i + 1)
    digits.sort()
    starts: list[int] = []
    last = -2
    for i in digits:
        if i != last + 1:
            starts.append(i)
        last = i
    return starts
