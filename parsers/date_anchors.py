"""Date anchors in any notation: 'dt:9-26' (day), 'ym:2023-9' (month of a year), 'yr:2023'.

Numeric notations are read first and blanked out (ISO, day/month[/year], dotted, month/year,
CJK), then month words in any supported language are read from the folded words.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from operator import itemgetter

from parsers.pieces import (
    HAS_CYRILLIC,
    HAS_DIGITS,
    HAS_MONTHS,
    HAS_WIDE_DIGITS,
    LOWER,
    MONTH_SPANS,
    Piece,
    to_flags,
    to_lower,
    to_pieces,
    to_run_starts,
)
from parsers.vocab import MONTH_KEYS, MONTH_STEMS, MONTHS, RANGE_WORDS

Add = Callable[[int | None, int, int | None], None]

_ISO_DATE_RE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_DMY_RE = re.compile(
    r"(?<![\d/.])(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?/(\d{1,2})(?:/(\d{4}))?(?![\d/])"
    r"|(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)"
)
_MY_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{4})(?!\d)")
_YEAR_RE = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d|\d)")
# "12.09.2023" anywhere, tried at the first digit of each run.
_DOTTED_DATE_RE = re.compile(r"\d+\.\d{1,2}\.\d{4}")
_CJK_DATE_RE = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(?:(\d{1,2})\s*[日일])?")
_CJK_HINTS = "月월年년"
_CJK_YEAR_RE = re.compile(r"(\d{4})\s*[年년]")
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+")
# How far _read_month looks from a month word: 4 tokens back (days, range words), and
# "thang 9", up to 3 days and a year ahead.
_BACK_TOKENS = 4
_AHEAD_TOKENS = 5


@functools.lru_cache(maxsize=8192)
def month_of(token: str) -> int | None:
    """Month number of a (folded, lower-case) month word in any supported language."""
    month = MONTHS.get(token)
    if month is not None:
        return month
    if token and "\u0400" <= token[0] <= "\u04ff":
        for stem, number in MONTH_STEMS:
            # "ма" alone is too short a stem: require the May forms.
            if token.startswith(stem) and (stem != "ма" or token in ("мая", "май")):
                return number
    return None


def finditer_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """pattern.finditer(text) for a pattern that can only match at one of the sorted starts."""
    # Every numeric date but the CJK ones, and every number, starts at the first digit of a
    # run: trying those few positions costs far less than scanning every character.
    found: list[re.Match[str]] = []
    end = 0
    for start in starts:
        if start >= end:
            m = pattern.match(text, start)
            if m is not None:
                found.append(m)
                end = m.end()
    return found


def to_date_anchors(text: str) -> list[str]:
    """Day-month ('dt:9-26'), month-year ('ym:2023-9') and year ('yr:2023') anchors."""
    pieces = to_pieces(text)
    return read_date_anchors(text, pieces, to_flags(pieces))


def read_date_anchors(text: str, pieces: list[Piece], flags: int) -> list[str]:
    """to_date_anchors of a text whose pieces (to_pieces) and their flags (to_flags) are known."""
    out: list[str] = []

    def add(day: int | None, month: int, year: int | None) -> None:
        if not 1 <= month <= 12:
            return
        if day is not None and 1 <= day <= 31:
            out.append(f"dt:{month}-{day}")
        if year is not None and 1900 <= year <= 2100:
            out.append(f"ym:{year}-{month}")

    starts = to_run_starts(text, bool(flags & HAS_WIDE_DIGITS)) if flags & HAS_DIGITS else []
    consumed, blanked = _read_numeric_dates(text, starts, add, out)
    if not consumed:
        return out
    if blanked:
        # The blanks hold digits, punctuation and white space: the word flags still hold.
        pieces = _blank_pieces(text, pieces, blanked)
    if flags & HAS_CYRILLIC:
        _read_cyrillic_months(consumed, to_lower(pieces), add)
    elif flags & HAS_MONTHS:
        _read_months(pieces, add)
    return out


def _read_numeric_dates(
    text: str, starts: list[int], add: Add, out: list[str]
) -> tuple[str, list[tuple[int, int]]]:
    """Read numeric and CJK dates and years; the text with ISO and d/m dates blanked, and where."""
    iso = finditer_at(_ISO_DATE_RE, text, starts)
    for m in iso:
        add(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    consumed = text
    if iso:
        consumed, starts = _blank(text, iso, starts)
    has_dmy = "/" in consumed or any(_DOTTED_DATE_RE.match(consumed, i) for i in starts)
    dmy = finditer_at(_DMY_RE, consumed, starts) if has_dmy else []
    for m in dmy:
        if m.group(3):
            year = int(m.group(4)) if m.group(4) else None
            add(int(m.group(1)), int(m.group(3)), year)
            if m.group(2):
                add(int(m.group(2)), int(m.group(3)), year)
        else:
            add(int(m.group(5)), int(m.group(6)), int(m.group(7)))
    if dmy:
        consumed, starts = _blank(consumed, dmy, starts)
    for m in finditer_at(_MY_RE, consumed, starts) if "/" in consumed else ():
        add(None, int(m.group(1)), int(m.group(2)))
    has_cjk = any(hint in consumed for hint in _CJK_HINTS)
    for m in _CJK_DATE_RE.finditer(consumed) if has_cjk else ():
        add(
            int(m.group(3)) if m.group(3) else None,
            int(m.group(2)),
            int(m.group(1)) if m.group(1) else None,
        )
    for m in _CJK_YEAR_RE.finditer(consumed) if has_cjk else ():
        out.append(f"yr:{m.group(1)}")
    out.extend(f"yr:{m.group(1)}" for m in finditer_at(_YEAR_RE, consumed, starts))
    return consumed, _blanked_spans(iso, dmy)


def _blanked_spans(iso: list[re.Match[str]], dmy: list[re.Match[str]]) -> list[tuple[int, int]]:
    """The spans of the original text that the ISO and then the day/month blanks took."""
    # Day/month matches are positions in the text after the ISO blanks. One may hold an ISO
    # blank in its white space; that blank then disappears into it.
    spans = [m.span() for m in iso]
    if not dmy:
        return spans
    # Where each ISO blank stands after the ISO blanking, and the width it took away.
    lost: list[tuple[int, int]] = []
    taken = 0
    for start, end in spans:
        lost.append((start - taken, end - start - 1))
        taken += end - start - 1
    moved: list[tuple[int, int]] = []
    for m in dmy:
        # Matches start and end on digits, never on a blank: each maps back unambiguously.
        start, end = m.span()
        moved.append(
            (
                start + sum(width for at, width in lost if at < start),
                end + sum(width for at, width in lost if at < end),
            )
        )
    kept = [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in moved)]
    return sorted(kept + moved)


def _blank_pieces(text: str, pieces: list[Piece], spans: list[tuple[int, int]]) -> list[Piece]:
    """to_pieces of the text with each span replaced by a space, re-reading touched pieces only."""
    # Runs of whole pieces (first, stop) that hold one or more spans.
    groups: list[tuple[int, int, list[tuple[int, int]]]] = []
    for start, end in spans:
        first = text.rfind(" ", 0, start) + 1
        stop = text.find(" ", end)
        stop = len(text) if stop == -1 else stop
        if groups and first <= groups[-1][1]:
            groups[-1][2].append((start, end))
            groups[-1] = (groups[-1][0], max(stop, groups[-1][1]), groups[-1][2])
        else:
            groups.append((first, stop, [(start, end)]))
    out: list[Piece] = []
    done = index = counted = 0
    for first, stop, group in groups:
        # The index of the first piece: the spaces before it, counted on from the last group.
        index += text.count(" ", counted, first)
        counted = first
        parts: list[str] = []
        last = first
        for start, end in group:
            parts.append(text[last:start])
            last = end
        parts.append(text[last:stop])
        out.extend(pieces[done:index])
        out.extend(to_pieces(" ".join(parts)))
        done = index + text.count(" ", first, stop) + 1
    out.extend(pieces[done:])
    return out


def _blank(text: str, matches: list[re.Match[str]], starts: list[int]) -> tuple[str, list[int]]:
    """The text with each match replaced by one space (as re.sub would), and its run starts."""
    # Matches begin and end on digit-run boundaries: the runs outside them stay, shifted.
    parts: list[str] = []
    kept: list[int] = []
    last = shift = 0
    runs = iter(starts)
    run = next(runs, None)
    for m in matches:
        start, end = m.span()
        while run is not None and run < start:
            kept.append(run - shift)
            run = next(runs, None)
        while run is not None and run < end:
            run = next(runs, None)
        parts.append(text[last:start])
        shift += end - start - 1
        last = end
    while run is not None:
        kept.append(run - shift)
        run = next(runs, None)
    parts.append(text[last:])
    return " ".join(parts), kept


def _read_months(pieces: list[Piece], add: Add) -> None:
    """Read the dates around the month words of the pieces."""
    for k in itertools.compress(range(len(pieces)), map(itemgetter(MONTH_SPANS), pieces)):
        lower = pieces[k][LOWER]
        for start, end in pieces[k][MONTH_SPANS]:
            after = _tokens_after(pieces, k, end)
            word = lower[start:end]
            # "thang" without a number after it is no month ("thắng", won): _read_month would
            # drop it, after the tokens before it were read for nothing.
            if word == "thang" and not (after and after[0].isdigit()):
                continue
            before = _tokens_before(pieces, k, start)
            tokens = [*before, word, *after]
            _read_month(tokens, tokens, len(before), add)


def _read_cyrillic_months(consumed: str, lower: str, add: Add) -> None:
    """Month words of a text with Cyrillic letters, matched before and after transliteration."""
    tokens = _TOKEN_RE.findall(lower)
    # Cyrillic months are matched before transliteration; keep both streams aligned.
    raw_tokens = _TOKEN_RE.findall(consumed.lower())
    if len(raw_tokens) != len(tokens):
        raw_tokens = tokens
    for i, t in enumerate(raw_tokens):
        if t in MONTH_KEYS or month_of(t):
            _read_month(tokens, raw_tokens, i, add)


def _tokens_before(pieces: list[Piece], k: int, start: int) -> list[str]:
    """The tokens before position start of piece k: all, or the _BACK_TOKENS the reader needs."""
    # Tokens never span pieces: whole pieces give whole tokens.
    tokens: list[str] = _TOKEN_RE.findall(pieces[k][LOWER], 0, start)
    while len(tokens) < _BACK_TOKENS and k > 0:
        k -= 1
        tokens[:0] = _TOKEN_RE.findall(pieces[k][LOWER])
    return tokens


def _tokens_after(pieces: list[Piece], k: int, end: int) -> list[str]:
    """The tokens after position end of piece k: all, or the _AHEAD_TOKENS the reader needs."""
    tokens: list[str] = _TOKEN_RE.findall(pieces[k][LOWER], end)
    while len(tokens) < _AHEAD_TOKENS and k + 1 < len(pieces):
        k += 1
        tokens.extend(_TOKEN_RE.findall(pieces[k][LOWER]))
    return tokens


def _read_month(tokens: list[str], raw_tokens: list[str], i: int, add: Add) -> None:
    """Read the date around the month word tokens[i]: days before or after, then a year."""
    tok = tokens[i]
    month: int | None = None
    width = 1
    if tok == "thang":
        if not (i + 1 < len(tokens) and tokens[i + 1].isdigit()):
            return
        month, width = int(tokens[i + 1]), 2  # Vietnamese "tháng 9"
    else:
        month = month_of(tok) or month_of(raw_tokens[i])
    if month is None:
        return
    days: list[int] = []
    j = i - 1
    while j >= 0 and i - j <= 4:
        t = tokens[j]
        if t.isdigit() and len(t) <= 2:
            days.append(int(t))
        elif t not in RANGE_WORDS and t != "ngay":
            break
        j -= 1
    k = i + width
    if not days:
        while k < len(tokens) and k - i - width < 3:
            t = tokens[k]
            if t.isdigit() and len(t) <= 2:
                days.append(int(t))
            elif t not in RANGE_WORDS:
                break
            k += 1
    year = None
    if k < len(tokens) and tokens[k].isdigit() and len(tokens[k]) == 4:
        year = int(tokens[k])
    if not days:
        add(None, month, year)
    for day in days:
        add(day, month, year)
