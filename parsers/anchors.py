"""Text anchors that survive translation: URLs, images, dates, numbers, acronyms, codes, names.

Each anchor is a string "kind:value". Dates come from parsers.date_anchors; acronyms and
codes are read piece by piece (parsers.pieces); the rest is here.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import cast
from urllib.parse import unquote, urlsplit

from parsers.date_anchors import finditer_at, read_date_anchors
from parsers.folding import fold_ascii, fold_word
from parsers.memo import Memo
from parsers.pieces import (
    ACRONYM,
    ACRONYMS,
    ACRONYMS_OR_CODES,
    CODES,
    HAS_ACRONYMS_OR_CODES,
    HAS_LOWER_DIGITS,
    HAS_LOWER_WIDE_DIGITS,
    LETTERS_RE,
    RUN_BREAK,
    UPPER,
    WORDS,
    NameWord,
    Piece,
    to_flags,
    to_lower,
    to_name_text,
    to_pieces,
    to_run_starts,
    to_skeleton,
)
from parsers.urls import canonicalize_url
from parsers.vocab import PERCENT_WORDS, SCALES

_NUM_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+|\d+)(?:[.,](\d+))?(?![\w])")
_NUM_SEP_RE = re.compile(r"[.,\u202f\u00a0 ]")
URL_RE = re.compile(r"https?://[^\s<>\"'“”]+", re.IGNORECASE)
_IMG_HINT_RE = re.compile(r"\.(?:jpe?g|png|gif|webp)\b", re.IGNORECASE)
_IMG_RE = re.compile(r"[\w\-.]{4,}\.(?:jpe?g|png|gif|webp)\b", re.IGNORECASE)
_CAP_WORD = f"[{UPPER}][^\\W\\d_]*"
# Two or more capitalised words separated only by spaces, hyphens or apostrophes. The look-
# behind (no letter before the run) follows the first capital, for the engine to skip to it.
# Possessive letters and separators (*+, ++): neither can give back a character the other
# takes, so backtracking into them finds nothing; not trying cut the scan by a quarter.
_CAP_RUN_RE = re.compile(
    f"[{UPPER}](?<![^\\W\\d_].)[^\\W\\d_]*+(?:[ \u00a0\\-'’]++[{UPPER}][^\\W\\d_]*+)+"
)
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+")
# Two or more name words of one run in the joined names of pieces (parsers.pieces.NAMES).
# Tried only after a break (a literal the engine skips to), possessive: no word is tried again
# from its middle.
_NAME_RUN_RE = re.compile(r"\n([^\n ]++ (?:[^\n ]++ )+)")
# Closes the names of one run: it reads as an acronym.
RUN_END = "ZZ"
_QUOTE_RE = re.compile(r"[„“\"«‹»]\s*([^„“”\"«»‹›\n]{6,120}?)\s*[“”\"»›«]")
# The characters a _QUOTE_RE match starts with.
_QUOTE_OPENERS = '„“"«‹»'
_SLUG_NOISE_RE = re.compile(r"\.(?:s?html?|php|aspx?|vnp|vov)$|[-_]?\d{5,}[-_]?|^\d+$")
_SLUG_SPLIT_RE = re.compile(r"[-_+\s]+")


def without_urls(text: str) -> str:
    """The text with every URL replaced by a space."""
    # Every URL holds "://": a substring test spares the regex scan on most texts.
    return URL_RE.sub(" ", text) if "://" in text else text


def to_fold_words(text: str) -> list[str]:
    """Lower-case ASCII-folded words of a text."""
    return [w.lower() for w in LETTERS_RE.findall(fold_ascii(text))]


def to_bigrams(words: list[str]) -> list[str]:
    """Adjacent word pairs 'a b'."""
    return [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def to_slug_words(url: str) -> list[str]:
    """The words of a URL's last path segment: often the original title, transliterated."""
    path = unquote(urlsplit(url).path).rstrip("/")
    segment = path.rsplit("/", 1)[-1]
    segment = _SLUG_NOISE_RE.sub(" ", segment)
    words = [w for w in _SLUG_SPLIT_RE.split(segment.lower()) if w and not w.isdigit()]
    return words if len(words) >= 3 else []


def to_text_anchors(
    text: str, exclude_urls: Iterable[str] = (), name_runs: list[list[str]] | None = None
) -> list[str]:
    """Language-independent anchors of a text, each 'kind:value'."""
    names = None if name_runs is None else _name_anchors(name_runs)
    anchors, _, _ = read_text_anchors(text, exclude_urls, names)
    return anchors


def read_text_anchors(
    text: str, exclude_urls: Iterable[str] = (), name_anchors: Iterable[str] | None = None
) -> tuple[list[str], list[Piece] | None, int]:
    """to_text_anchors (name anchors given or read), with to_pieces(text) and its to_flags."""
    # The pieces are None when the anchors came from other pieces: the text held a URL or an
    # image name, which are left out before the rest is read. The anchors read here are not
    # interned: a fingerprint packs its anchors into one bytes object (parsers.anchor_pack).
    anchors: list[str] = []
    excluded = set(exclude_urls)
    source = text
    # Every URL holds "://": a substring test spares the regex scan on most texts.
    has_urls = "://" in text
    for m in URL_RE.finditer(text) if has_urls else ():
        url = canonicalize_url(m.group(0).rstrip(".,;)"))
        if url not in excluded:
            anchors.append(f"url:{url}")
    has_images = _IMG_HINT_RE.search(text) is not None
    for m in _IMG_RE.finditer(text) if has_images else ():
        anchors.append(f"img:{m.group(0).lower()}")
    if has_urls:
        text = URL_RE.sub(" ", text)
    if has_images:
        text = _IMG_RE.sub(" ", text)
    pieces = to_pieces(text)
    flags = to_flags(pieces)
    dates = read_date_anchors(text, pieces, flags)
    anchors.extend(dates)
    if flags & HAS_LOWER_DIGITS:
        # A day of a date ("am 21. September") is not also a number of its own.
        days = {f"num:{d.rsplit('-', 1)[1]}" for d in dates if d.startswith("dt:")}
        lower = to_lower(pieces)
        starts = to_run_starts(lower, bool(flags & HAS_LOWER_WIDE_DIGITS))
        anchors.extend(a for a in _number_anchors(lower, starts) if a not in days)
    if flags & HAS_ACRONYMS_OR_CODES:
        found = list(itertools.compress(pieces, map(_ACRONYMS_OR_CODES, pieces)))
        anchors.extend(_chain(found, ACRONYMS))
        anchors.extend(_chain(found, CODES))
    if name_anchors is None:
        name_anchors = read_names(pieces)[0]
    anchors.extend(name_anchors)
    for m in finditer_at(_QUOTE_RE, text, _quote_starts(text)):
        words = to_fold_words(m.group(1))
        if 2 <= len(words) <= 14:
            anchors.append("q:" + " ".join(words))
    return anchors, pieces if text is source else None, flags


_ACRONYMS_OR_CODES = itemgetter(ACRONYMS_OR_CODES)


def _quote_starts(text: str) -> list[int]:
    """Where the text holds an opening quote character, in order."""
    # A scan of the whole text by _QUOTE_RE tests every character against its first set
    # (~100k instructions a bench article); substring searches find the few quotes for less.
    starts: list[int] = []
    for quote in _QUOTE_OPENERS:
        i = text.find(quote)
        while i != -1:
            starts.append(i)
            i = text.find(quote, i + 1)
    starts.sort()
    return starts


def _chain(parts: Sequence[Piece], field: int) -> Iterable[str]:
    """One field's strings (by position) of every piece, in text order."""
    return itertools.chain.from_iterable(map(itemgetter(field), parts))


@functools.lru_cache(maxsize=4096)
def _to_number(int_part: str, frac: str | None) -> str | None:
    """A number's canonical spelling: thousands separators dropped, decimals with '.'."""
    digits = _NUM_SEP_RE.sub("", int_part)
    if frac is not None and len(frac) == 3 and digits == int_part:
        # "1.500" / "1,500": thousands in most of the world's news.
        digits, frac = digits + frac, None
    value = digits.lstrip("0") or "0"
    if frac:
        frac = frac.rstrip("0")
    return f"{value}.{frac}" if frac else value


def _number_anchors(folded: str, starts: list[int]) -> list[str]:
    """Numbers (≥ 10 or with decimals), percentages and amounts of folded lower text."""
    # starts: where the text's runs of digits start; every number starts at one.
    out: list[str] = []
    for m in finditer_at(_NUM_RE, folded, starts):
        number = _to_number(m.group(1), m.group(2))
        if number is None:
            continue
        end = m.end()
        after = folded[end : end + 24]
        first = _TOKEN_RE.search(after)
        word = first.group(0) if first else None
        if after.lstrip().startswith("%") or word in PERCENT_WORDS:
            out.append(f"pct:{number}")
            continue
        if word in SCALES:
            out.append(f"amt:{number}e{SCALES[word]}")
            continue
        if len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2100:
            continue  # years are date anchors
        if "." in number or int(number.split(".")[0]) >= 10:
            out.append(f"num:{number}")
    return out


# Two adjacent words of a run: their 'nm:' and 'ns:' anchors (none when either word is an
# acronym), and their folded bigram when either is spelt with non-ASCII letters
# (Fingerprint.native_names). Interned, as Piece anchors are.
NamePair = tuple[tuple[str, ...], tuple[str, ...]]
_NO_PAIR: NamePair = ((), ())


def _read_pair(pair: tuple[str, str]) -> NamePair:
    """The anchors and native bigram of two adjacent words of a run (sentence words left out)."""
    first, second = (cast(NameWord, WORDS[word]) for word in pair)
    if first is ACRONYM or second is ACRONYM:
        return _NO_PAIR
    folded = f"{first[0]} {second[0]}"
    return (
        (sys.intern("nm:" + folded), sys.intern(f"ns:{first[1]} {second[1]}")),
        () if first[2] and second[2] else (sys.intern(folded),),
    )


# Pairs of words recur far more than runs of them: half the runs of German text are new
# (noun pairs), their pairs mostly not.
_PAIRS = Memo(_read_pair, size=1 << 15, max_chars=2)
_PAIR_ANCHORS = itemgetter(0)
_PAIR_NATIVE = itemgetter(1)


def _to_run_words(text: str) -> list[str]:
    """The words of the text's runs of capitalised words, each run closed by RUN_END."""
    # A run is capitalised words between separators [ \u00a0\-'’]: splitting at them gives
    # its words (LETTERS_RE.findall) several times faster.
    runs = _CAP_RUN_RE.findall(text)
    if not runs:
        return []
    joined = f" {RUN_END} ".join(runs)
    return [*joined.replace("-", " ").replace("'", " ").replace("’", " ").split(), RUN_END]


def to_names(text: str) -> tuple[list[str], list[str]]:
    """Name anchors of the text (as _name_anchors of to_name_runs) and their native bigrams."""
    return read_names(to_pieces(text))


def read_names(pieces: list[Piece]) -> tuple[list[str], list[str]]:
    """to_names of the text whose pieces (to_pieces) these are."""
    # The pieces hold their name words (sentence words left out), and breaks where a run or
    # a name ends (acronyms): the pairs _name_anchors reads are the adjacent words of the runs
    # of two or more. C-level joins and one scan of those words, instead of a scan of the text
    # and a word split of every run.
    runs = _NAME_RUN_RE.findall(RUN_BREAK + to_name_text(pieces))
    if not runs:
        return [], []
    words = f"{RUN_END} ".join(runs).split()
    # Tuple keys: zip builds them in C (reusing one tuple for hits), where formatting 'a b'
    # cost 0.7 us a pair.
    pairs = list(map(_PAIRS.__getitem__, zip(words, words[1:], strict=False)))
    return (
        list(itertools.chain.from_iterable(map(_PAIR_ANCHORS, pairs))),
        list(itertools.chain.from_iterable(map(_PAIR_NATIVE, pairs))),
    )


def to_name_runs(text: str) -> list[list[str]]:
    """Runs of two or more capitalised words (original spelling), e.g. ['Nguyễn', 'Mạnh']."""
    runs: list[list[str]] = []
    run: list[str] = []
    for word in _to_run_words(text):
        entry = WORDS[word]
        if entry is ACRONYM:
            if len(run) >= 2:
                runs.append(run)
            run = []
        elif entry:
            run.append(word)
    return runs


def _name_anchors(runs: Sequence[Sequence[str]]) -> list[str]:
    """Runs of capitalised words, folded to name bigrams ('nm:') and skeletons ('ns:').

    Single capitalised words are left out: German capitalises every noun, and on labelled
    pairs they cost more precision than they bought recall.
    """
    out: list[str] = []
    for run in runs:
        words = [fold_word(w) for w in run]
        for a, b in zip(words, words[1:], strict=False):
            out.append(f"nm:{a} {b}")
            out.append(f"ns:{to_skeleton(a)} {to_skeleton(b)}")
    return out
