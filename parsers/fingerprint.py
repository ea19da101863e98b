"""Article fingerprints for story matching: language-independent anchors plus a MinHash.

Anchors are strings "kind:value" that survive translation: dates and numbers in any
notation, names folded to ASCII, acronyms, codes like 5G, URLs, image file names, quoted
titles and URL-slug words. The MinHash (word 3-shingles) finds near-duplicates within one
language. Everything here is pure: text in, frozen record out.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from urllib.parse import unquote, urlsplit

import numpy as np

from parsers.records import Article
from parsers.urls import canonicalize_url

NUM_PERM = 64
LEAD_CHARS = 600
# Universal hashing h(x) = (a*x + b) mod p over 32-bit shingle hashes; p > 2**32 and
# a, b < 2**32 keep a*x + b inside uint64. Fixed seed: signatures are stored and compared
# across runs.
_PRIME = np.uint64(4294967311)
_RNG = np.random.default_rng(20240926)
_PERM_A = _RNG.integers(1, 2**32 - 1, size=NUM_PERM, dtype=np.uint64)
_PERM_B = _RNG.integers(0, 2**32 - 1, size=NUM_PERM, dtype=np.uint64)
_EMPTY_SIG = (0xFFFFFFFF,) * NUM_PERM
# Odd multipliers that spread word hashes before they are combined into shingle hashes.
_MIX_1 = np.uint64(0x9E3779B1)
_MIX_2 = np.uint64(0x85EBCA77)

# Anchor kinds; the prefix before ":" in every anchor string.
KINDS = ("dt", "ym", "yr", "num", "pct", "amt", "code", "acr", "nm", "ns", "url", "img", "q", "tb")

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

MONTHS: dict[str, int] = {}
for _names in (
    # en, de, fr, es, pt, it, nl, sv (folded to ASCII, lower case)
    "january february march april may june july august september october november december",
    "januar februar marz april mai juni juli august september oktober november dezember",
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "januari februari mars april maj juni juli augusti september oktober november december",
    "jan feb mar apr may jun jul aug sep oct nov dec",
):
    for _i, _m in enumerate(_names.split()):
        MONTHS.setdefault(_m, _i + 1)
MONTHS.update({"sept": 9, "setiembre": 9, "jänner": 1})
_MONTH_KEYS = frozenset({*MONTHS, "thang"})
_YEAR_RE = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d|\d)")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
# Russian and Ukrainian month stems, matched by prefix on the untransliterated word.
_MONTH_STEMS = (
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
    ("січ", 1),
    ("лют", 2),
    ("берез", 3),
    ("квіт", 4),
    ("трав", 5),
    ("черв", 6),
    ("лип", 7),
    ("серп", 8),
    ("верес", 9),
    ("жовт", 10),
    ("листопад", 11),
    ("груд", 12),
)
# Words that may stand between the two days of a range ("26. bis 30. September").
_RANGE_WORDS = frozenset(
    [
        "bis",
        "to",
        "and",
        "und",
        "au",
        "et",
        "y",
        "al",
        "a",
        "till",
        "och",
        "den",
        "tu",
        "through",
        "until",
        "do",
        "по",
        "до",
        "і",
        "и",
    ]
)
# Words that scale the number before them: amounts survive translation as number x scale.
_SCALES: dict[str, int] = {}
for _scale, _words in (
    (3, "thousand tausend mille mil nghin ngan тыс тысяч тисяч"),
    (
        6,
        "million millionen millions mio millones millon milhoes milioni trieu млн миллиона "
        "миллионов миллион мільйонів",
    ),
    (
        9,
        "billion billions milliarde milliarden milliard milliards mrd ty mil_millones "
        "млрд миллиарда миллиардов",
    ),
):
    for _w in _words.split():
        _SCALES[_w] = _scale
_PERCENT_WORDS = frozenset(
    [
        "prozent",
        "percent",
        "pour",
        "cent",
        "por",
        "ciento",
        "phan",
        "tram",
        "процента",
        "процентов",
        "процент",
        "відсотків",
    ]
)

_NUM_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+|\d+)(?:[.,](\d+))?(?![\w])")
_ISO_DATE_RE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_DMY_RE = re.compile(
    r"(?<![\d/.])(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?/(\d{1,2})(?:/(\d{4}))?(?![\d/])"
    r"|(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)"
)
_MY_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{4})(?!\d)")
_CJK_DATE_RE = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(?:(\d{1,2})\s*[日일])?")
_IMG_HINT_RE = re.compile(r"\.(?:jpe?g|png|gif|webp)\b", re.IGNORECASE)
_DOTTED_DATE_HINT_RE = re.compile(r"\d\.\d{1,2}\.\d{4}")
_CJK_HINT_RE = re.compile("[月월年년]")
_CJK_YEAR_RE = re.compile(r"(\d{4})\s*[年년]")
_URL_RE = re.compile(r"https?://[^\s<>\"'“”]+", re.IGNORECASE)
_IMG_RE = re.compile(r"[\w\-.]{4,}\.(?:jpe?g|png|gif|webp)\b", re.IGNORECASE)
_ACR_RE = re.compile(r"(?<![\w&])([A-Z][A-Z0-9]*(?:&[A-Z]+)?[A-Z0-9]*)(?![\w&])")
_CODE_RE = re.compile(r"(?<![\w.])(\d+[A-Za-z]{1,3}|[A-Za-z]{1,6}-?\d+[A-Za-z]?)(?![\w])")
_SPECIAL_LATIN_RE = re.compile("[đĐßøØæÆłŁœŒıþð]")
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SCRIPT_RES = (
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("cjk", re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")),
    ("hangul", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("arabic", re.compile(r"[\u0600-\u06ff]")),
    ("other", re.compile(r"[\u0370-\u03ff\u0590-\u05ff\u0900-\u0dff\u0e00-\u0fff\u1780-\u17ff]")),
)
_UPPER = "".join(
    c
    for r in ((0x41, 0x250), (0x370, 0x530), (0x1E00, 0x1F00))
    for c in map(chr, range(*r))
    if c.isupper()
)
_CAP_WORD = f"[{_UPPER}][^\\W\\d_]*"
# Two or more capitalised words separated only by spaces, hyphens or apostrophes.
_CAP_RUN_RE = re.compile(f"(?<![^\\W\\d_]){_CAP_WORD}(?:[ \u00a0\\-'’]+{_CAP_WORD})+")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+")
_QUOTE_RE = re.compile(r"[„“\"«‹»]\s*([^„“”\"«»‹›\n]{6,120}?)\s*[“”\"»›«]")
_SOURCE_LINE_RE = re.compile(r"^\s*(quelle|source|nguồn|nguon|источник)\s*:", re.I | re.M)
_SLUG_NOISE_RE = re.compile(r"\.(?:s?html?|php|aspx?|vnp|vov)$|[-_]?\d{5,}[-_]?|^\d+$")
# Capitalised words that start most sentences or name months and weekdays: not names.
_NOT_NAMES = frozenset(
    set(MONTHS)
    | set(
        [
            "the",
            "a",
            "an",
            "in",
            "on",
            "at",
            "of",
            "for",
            "and",
            "but",
            "this",
            "that",
            "these",
            "it",
            "he",
            "she",
            "they",
            "we",
            "mr",
            "mrs",
            "ms",
            "dr",
            "der",
            "die",
            "das",
            "ein",
            "eine",
            "im",
            "am",
            "zum",
            "zur",
            "bei",
            "mit",
            "und",
            "herr",
            "frau",
            "le",
            "la",
            "les",
            "un",
            "une",
            "au",
            "aux",
            "du",
            "des",
            "en",
            "et",
            "monsieur",
            "madame",
            "el",
            "los",
            "las",
            "y",
            "del",
            "al",
            "senor",
            "ong",
            "ba",
            "anh",
            "chi",
            "ngay",
            "thang",
            "nam",
            "tai",
            "theo",
            "trong",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "montag",
            "dienstag",
            "mittwoch",
            "donnerstag",
            "freitag",
            "samstag",
            "sonntag",
        ]
    )
)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What matching needs to know about one article, storable as one table row."""

    article_id: str
    lang: str
    content_sha256: str
    published_at: datetime | None
    anchors: tuple[str, ...] = ()
    minhash: tuple[int, ...] = _EMPTY_SIG
    script: str = "latin"
    n_tokens: int = 0
    url: str | None = None
    cites: tuple[str, ...] = ()
    # Name bigrams (folded) that this article spells with non-ASCII letters (Nguyễn Mạnh):
    # an original keeps its names' diacritics where translations often drop them.
    native_names: tuple[str, ...] = ()
    # Date anchors of the title and lead (first LEAD_CHARS characters): news states the
    # event's date up front, so lead dates that disagree mark another event.
    lead_dates: tuple[str, ...] = ()

    def to_row(self) -> dict[str, object]:
        """Primitives and lists only, for the DuckDB table `fingerprints`."""
        return {
            "article_id": self.article_id,
            "lang": self.lang,
            "content_sha256": self.content_sha256,
            "published_at": self.published_at,
            "anchors": list(self.anchors),
            "minhash": list(self.minhash),
            "script": self.script,
            "n_tokens": self.n_tokens,
            "url": self.url,
            "cites": list(self.cites),
            "native_names": list(self.native_names),
            "lead_dates": list(self.lead_dates),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Fingerprint:
        """Inverse of to_row; tolerates ISO strings for published_at."""
        published = row.get("published_at")
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        if published is not None and not isinstance(published, datetime):
            raise TypeError(f"published_at: {type(published).__name__}")
        return cls(
            article_id=str(row["article_id"]),
            lang=str(row["lang"]),
            content_sha256=str(row["content_sha256"]),
            published_at=published,
            anchors=tuple(str(a) for a in _as_list(row.get("anchors"))),
            minhash=tuple(int(cast(int, v)) for v in _as_list(row.get("minhash"))) or _EMPTY_SIG,
            script=str(row.get("script") or "latin"),
            n_tokens=int(str(row.get("n_tokens") or 0)),
            url=str(row["url"]) if row.get("url") else None,
            cites=tuple(str(c) for c in _as_list(row.get("cites"))),
            native_names=tuple(str(n) for n in _as_list(row.get("native_names"))),
            lead_dates=tuple(str(n) for n in _as_list(row.get("lead_dates"))),
        )


def _as_list(value: object) -> list[object]:
    """A stored list column as a Python list (None → empty)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return list(value)  # type: ignore[call-overload]


def to_fingerprint(article: Article) -> Fingerprint:
    """Fingerprint an article: anchors from text, URL, images; MinHash from the words.

    Args:
        article: a clean Article record.
    Returns:
        Its Fingerprint (pure; equal articles give equal fingerprints).
    """
    cited = {canonicalize_url(c.url) for c in article.citations}
    text = _strip_source_lines(article.text)
    runs = _name_runs(text)
    anchors = set(to_text_anchors(text, exclude_urls=cited, name_runs=runs))
    lead = set(_date_anchors(_URL_RE.sub(" ", text[:LEAD_CHARS])))
    own_urls = [u for u in (article.canonical_url, article.url) if u]
    for url in own_urls:
        anchors.update(f"tb:{b}" for b in _bigrams(to_slug_words(url)))
    if article.title:
        anchors.update(f"tb:{b}" for b in _bigrams(_fold_words(article.title)))
    for image in article.images:
        name = image.file_name or (image.url and urlsplit(image.url).path.rsplit("/", 1)[-1])
        if name:
            anchors.add(f"img:{unquote(name).lower()}")
    words = [w.lower() for w in _LETTERS_RE.findall(text)]
    native = {
        f"{_fold_word(a)} {_fold_word(b)}"
        for run in runs
        for a, b in zip(run, run[1:], strict=False)
        if not (a.isascii() and b.isascii())
    }
    return Fingerprint(
        article_id=article.article_id,
        lang=article.lang,
        content_sha256=article.content_sha256,
        published_at=article.published_at,
        anchors=tuple(sorted(anchors)),
        minhash=to_minhash(words),
        script=to_script(text),
        n_tokens=len(words),
        url=canonicalize_url(own_urls[0]) if own_urls else None,
        cites=tuple(sorted(cited)),
        native_names=tuple(sorted(native)),
        lead_dates=tuple(sorted(lead & anchors)),
    )


def _strip_source_lines(text: str) -> str:
    """Drop 'Quelle: URL' lines: citations are their own signal, not content."""
    if not _SOURCE_LINE_RE.search(text):
        return text
    return "\n".join(line for line in text.split("\n") if not _SOURCE_LINE_RE.match(line))


def fold_ascii(text: str) -> str:
    """Fold to ASCII where letters allow: Nguyễn → Nguyen, Đà → Da, Хунг → Hung."""
    if text.isascii():
        return text
    # str.translate is slow per character: only run the tables the text needs.
    if _SPECIAL_LATIN_RE.search(text):
        text = text.translate(_LATIN_FOLD)
    if _CYRILLIC_RE.search(text):
        text = text.translate(_CYRILLIC_FOLD)
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def to_script(text: str) -> str:
    """The dominant script of the letters: latin, cyrillic, cjk, hangul, arabic, other."""
    sample = text[:3000]
    if sample.isascii():
        return "latin"
    counts = {name: len(rx.findall(sample)) for name, rx in _SCRIPT_RES}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "latin"


def _fold_words(text: str) -> list[str]:
    """Lower-case ASCII-folded words of a text."""
    return [w.lower() for w in _LETTERS_RE.findall(fold_ascii(text))]


def _bigrams(words: list[str]) -> list[str]:
    """Adjacent word pairs 'a b'."""
    return [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def to_slug_words(url: str) -> list[str]:
    """The words of a URL's last path segment: often the original title, transliterated."""
    path = unquote(urlsplit(url).path).rstrip("/")
    segment = path.rsplit("/", 1)[-1]
    segment = _SLUG_NOISE_RE.sub(" ", segment)
    words = [w for w in re.split(r"[-_+\s]+", segment.lower()) if w and not w.isdigit()]
    return words if len(words) >= 3 else []


def to_text_anchors(
    text: str, exclude_urls: Iterable[str] = (), name_runs: list[list[str]] | None = None
) -> list[str]:
    """Language-independent anchors of a text, each 'kind:value'."""
    anchors: list[str] = []
    excluded = set(exclude_urls)
    for m in _URL_RE.finditer(text):
        url = canonicalize_url(m.group(0).rstrip(".,;)"))
        if url not in excluded:
            anchors.append(f"url:{url}")
    has_images = _IMG_HINT_RE.search(text) is not None
    for m in _IMG_RE.finditer(text) if has_images else ():
        anchors.append(f"img:{m.group(0).lower()}")
    text = _URL_RE.sub(" ", text)
    if has_images:
        text = _IMG_RE.sub(" ", text)
    dates = _date_anchors(text)
    anchors.extend(dates)
    # A day of a date ("am 21. September") is not also a number of its own.
    days = {f"num:{d.rsplit('-', 1)[1]}" for d in dates if d.startswith("dt:")}
    anchors.extend(a for a in _number_anchors(text) if a not in days)
    for m in _ACR_RE.finditer(text):
        acr = m.group(1)
        if sum(c.isupper() for c in acr) >= 2 and len(acr) <= 10:
            anchors.append(f"acr:{fold_ascii(acr)}")
    for m in _CODE_RE.finditer(text):
        anchors.append(f"code:{m.group(1).lower().replace('-', '')}")
    anchors.extend(_name_anchors(_name_runs(text) if name_runs is None else name_runs))
    for m in _QUOTE_RE.finditer(text):
        words = _fold_words(m.group(1))
        if 2 <= len(words) <= 14:
            anchors.append("q:" + " ".join(words))
    return anchors


def _month_of(token: str) -> int | None:
    """Month number of a (folded, lower-case) month word in any supported language."""
    month = MONTHS.get(token)
    if month is not None:
        return month
    if token and "\u0400" <= token[0] <= "\u04ff":
        for stem, number in _MONTH_STEMS:
            # "ма" alone is too short a stem: require the May forms.
            if token.startswith(stem) and (stem != "ма" or token in ("мая", "май")):
                return number
    return None


def _date_anchors(text: str) -> list[str]:
    """Day-month ('dt:9-26'), month-year ('ym:2023-9') and year ('yr:2023') anchors."""
    out: list[str] = []

    def add(day: int | None, month: int, year: int | None) -> None:
        if not 1 <= month <= 12:
            return
        if day is not None and 1 <= day <= 31:
            out.append(f"dt:{month}-{day}")
        if year is not None and 1900 <= year <= 2100:
            out.append(f"ym:{year}-{month}")

    consumed = text
    for m in _ISO_DATE_RE.finditer(text):
        add(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    consumed = _ISO_DATE_RE.sub(" ", consumed)
    has_dmy = "/" in consumed or _DOTTED_DATE_HINT_RE.search(consumed) is not None
    for m in _DMY_RE.finditer(consumed) if has_dmy else ():
        if m.group(3):
            year = int(m.group(4)) if m.group(4) else None
            add(int(m.group(1)), int(m.group(3)), year)
            if m.group(2):
                add(int(m.group(2)), int(m.group(3)), year)
        else:
            add(int(m.group(5)), int(m.group(6)), int(m.group(7)))
    if has_dmy:
        consumed = _DMY_RE.sub(" ", consumed)
    for m in _MY_RE.finditer(consumed) if "/" in consumed else ():
        add(None, int(m.group(1)), int(m.group(2)))
    has_cjk = _CJK_HINT_RE.search(consumed) is not None
    for m in _CJK_DATE_RE.finditer(consumed) if has_cjk else ():
        add(
            int(m.group(3)) if m.group(3) else None,
            int(m.group(2)),
            int(m.group(1)) if m.group(1) else None,
        )
    for m in _CJK_YEAR_RE.finditer(consumed) if has_cjk else ():
        out.append(f"yr:{m.group(1)}")

    out.extend(f"yr:{m.group(1)}" for m in _YEAR_RE.finditer(consumed))
    tokens = _TOKEN_RE.findall(fold_ascii(consumed).lower()) if consumed else []
    raw_tokens = tokens
    if _CYRILLIC_RE.search(consumed):
        # Cyrillic months are matched before transliteration; keep both streams aligned.
        raw_tokens = _TOKEN_RE.findall(consumed.lower())
        if len(raw_tokens) != len(tokens):
            raw_tokens = tokens
        spots = [i for i, t in enumerate(raw_tokens) if t in _MONTH_KEYS or _month_of(t)]
    else:
        spots = [i for i, t in enumerate(tokens) if t in _MONTH_KEYS]
    for i in spots:
        tok = tokens[i]
        month: int | None = None
        width = 1
        if tok == "thang":
            if not (i + 1 < len(tokens) and tokens[i + 1].isdigit()):
                continue
            month, width = int(tokens[i + 1]), 2  # Vietnamese "tháng 9"
        else:
            month = _month_of(tok) or _month_of(raw_tokens[i])
        if month is None:
            continue
        days: list[int] = []
        j = i - 1
        while j >= 0 and i - j <= 4:
            t = tokens[j]
            if t.isdigit() and len(t) <= 2:
                days.append(int(t))
            elif t not in _RANGE_WORDS and t != "ngay":
                break
            j -= 1
        k = i + width
        if not days:
            while k < len(tokens) and k - i - width < 3:
                t = tokens[k]
                if t.isdigit() and len(t) <= 2:
                    days.append(int(t))
                elif t not in _RANGE_WORDS:
                    break
                k += 1
        year = None
        if k < len(tokens) and tokens[k].isdigit() and len(tokens[k]) == 4:
            year = int(tokens[k])
        if not days:
            add(None, month, year)
        for day in days:
            add(day, month, year)
    return out


def _to_number(int_part: str, frac: str | None) -> str | None:
    """A number's canonical spelling: thousands separators dropped, decimals with '.'."""
    digits = re.sub(r"[.,\u202f\u00a0 ]", "", int_part)
    if frac is not None and len(frac) == 3 and not re.search(r"[.,\u202f\u00a0 ]", int_part):
        # "1.500" / "1,500": thousands in most of the world's news.
        digits, frac = digits + frac, None
    value = digits.lstrip("0") or "0"
    if frac:
        frac = frac.rstrip("0")
    return f"{value}.{frac}" if frac else value


def _number_anchors(text: str) -> list[str]:
    """Numbers (≥ 10 or with decimals), percentages and scaled amounts."""
    out: list[str] = []
    folded = fold_ascii(text).lower()
    for m in _NUM_RE.finditer(folded):
        number = _to_number(m.group(1), m.group(2))
        if number is None:
            continue
        after = folded[m.end() : m.end() + 24]
        tail = _TOKEN_RE.findall(after)[:2]
        rest = after.lstrip()
        if rest.startswith("%") or (tail and tail[0] in _PERCENT_WORDS):
            out.append(f"pct:{number}")
            continue
        if tail and tail[0] in _SCALES:
            out.append(f"amt:{number}e{_SCALES[tail[0]]}")
            continue
        if len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2100:
            continue  # years are date anchors
        if "." in number or int(number.split(".")[0]) >= 10:
            out.append(f"num:{number}")
    return out


def _name_runs(text: str) -> list[list[str]]:
    """Runs of two or more capitalised words (original spelling), e.g. ['Nguyễn', 'Mạnh']."""
    runs: list[list[str]] = []
    for m in _CAP_RUN_RE.finditer(text):
        run: list[str] = []
        for word in _LETTERS_RE.findall(m.group(0)):
            if len(word) > 1 and word.isupper():  # an acronym ends the name
                if len(run) >= 2:
                    runs.append(run)
                run = []
            elif _fold_word(word) not in _NOT_NAMES:
                run.append(word)
        if len(run) >= 2:
            runs.append(run)
    return runs


@functools.lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    """fold_ascii(word).lower(), cached: names repeat."""
    return fold_ascii(word).lower()


def _name_anchors(runs: list[list[str]]) -> list[str]:
    """Runs of capitalised words, folded to name bigrams ('nm:') and skeletons ('ns:').

    Single capitalised words are left out: German capitalises every noun, and on labelled
    pairs they cost more precision than they bought recall.
    """
    out: list[str] = []
    for run in runs:
        words = [_fold_word(w) for w in run]
        for a, b in zip(words, words[1:], strict=False):
            out.append(f"nm:{a} {b}")
            out.append(f"ns:{_skeleton(a)} {_skeleton(b)}")
    return out


def _skeleton(word: str) -> str:
    """Consonant skeleton of a folded name word, for transliteration variants.

    Nguyen/Nguen → ngn, Manh/Man → mn: drops vowels, y, w and h after the first letter.
    """
    if not word:
        return word
    rest = re.sub(r"[aeiouyhw]", "", word[1:])
    return re.sub(r"(.)\1+", r"\1", word[0] + rest)


def to_minhash(words: list[str]) -> tuple[int, ...]:
    """MinHash signature over word 3-shingles (stable crc32 hashes, fixed permutations).

    A shingle's hash combines its words' crc32 hashes in numpy, which is several times
    faster than hashing each shingle's string.
    """
    if not words:
        return _EMPTY_SIG
    cache: dict[str, int] = {}
    word_hashes = np.fromiter(
        (cache.setdefault(w, zlib.crc32(w.encode("utf-8"))) for w in words),
        dtype=np.uint64,
        count=len(words),
    )
    if len(words) < 3:
        hashes = word_hashes[:1]
    else:
        mask = np.uint64(0xFFFFFFFF)
        hashes = (
            (word_hashes[:-2] * _MIX_1) ^ (word_hashes[1:-1] * _MIX_2) ^ word_hashes[2:]
        ) & mask
        hashes = np.unique(hashes)
    values = (np.outer(hashes, _PERM_A) + _PERM_B) % _PRIME
    return tuple(int(v) for v in values.min(axis=0))


def content_key(text: str) -> str:
    """Hash of whitespace-normalised text, for exact duplicates across reformatting."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
