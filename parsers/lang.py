"""Deterministic language detection: script first, then stopword evidence for Latin text."""

from __future__ import annotations

import re
import unicodedata
from itertools import repeat

from parsers.memo import Memo

UNKNOWN = "und"

# Scripts that name their language well enough; checked on letters, not punctuation.
SCRIPT_LANGS: tuple[tuple[str, str], ...] = (
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("THAI", "th"),
    ("LAO", "lo"),
    ("KHMER", "km"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("GREEK", "el"),
    ("DEVANAGARI", "hi"),
    ("GEORGIAN", "ka"),
    ("ARMENIAN", "hy"),
    ("CJK", "zh"),
    ("CYRILLIC", "ru"),
)

# Function words: frequent, short, and rarely shared between these languages.
STOPWORDS: dict[str, frozenset[str]] = {
    "vi": frozenset(
        "và của các là có được trong những với cho một này đã không người để tại về từ "
        "theo khi đến như cũng sẽ năm nhiều hai bộ đó vào ra thì trên làm nước phát triển".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine mit von den dem des sich auf für im zu auch "
        "bei als wurde werden sind nach zur zum aus über wie einer durch haben hat sowie".split()
    ),
    "en": frozenset(
        "the and of to in is that for on with as was by at from are this be it an which "
        "has have were will said its their been more also after who would than".split()
    ),
    "fr": frozenset(
        "le la les et des est une un du dans que pour pas sur au qui par avec ce sont "
        "ont été aux il elle mais ses cette leur entre lors selon plus".split()
    ),
    "es": frozenset(
        "el la los las y de que en un una por con para es del al se su lo como más pero "
        "sus fue ha este esta entre también".split()
    ),
    "it": frozenset(
        "il la di che e è un una per con non sono del della gli le dei nel alla anche "
        "come più questo ha stato tra".split()
    ),
    "pt": frozenset(
        "o a os as e de que em um uma para com não do da dos das no na por mais foi "
        "são também pelo pela entre".split()
    ),
    "nl": frozenset(
        "de het een en van in is dat op te zijn met voor niet aan er ook als door bij "
        "naar werd wordt heeft hebben".split()
    ),
    "id": frozenset(
        "yang dan di ini itu dengan untuk dari dalam tidak akan pada adalah juga ke "
        "oleh karena telah sebagai".split()
    ),
}

# Letters that only Vietnamese among these languages writes (tone marks on horned vowels, đ).
VI_LETTERS = frozenset("ơưđăạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Greek to Mongolian, and CJK, kana and Hangul: skips Latin, Latin Extended Additional
# (Vietnamese) and general punctuation.
NON_LATIN = re.compile("[\u0370-\u1dff\u2e80-\ud7ff\uf900-\uffef]")
_ASCII_BYTES = bytes(range(128))
MIN_WORDS = 3
# A language must own this share of the stopword hits, else the text is "und".
MIN_SHARE = 0.4


def _script_of(ch: str) -> str | None:
    """The script word of a letter's Unicode name, or None for Latin and non-letters."""
    if not ch.isalpha() or ch.isascii():
        return None
    name = unicodedata.name(ch, "")
    for script, _ in SCRIPT_LANGS:
        if name.startswith(script) or (script == "CJK" and "IDEOGRAPH" in name):
            return script
    return None


def _detect_script(text: str) -> str | None:
    """The language of a non-Latin script that holds most of the letters, if any."""
    sample = text[:5000]
    if sample.isascii():
        return None
    # Only letters outside the Latin blocks need a Unicode-name lookup (the slow part). None
    # of them is ASCII: scanning only the sample's other characters measured 0.4x the
    # instructions of scanning it all on Vietnamese seeds (mostly ASCII even so).
    others = [ch for ch in NON_LATIN.findall(without_ascii(sample)) if ch.isalpha()]
    if not others:
        return None
    letters = len(LETTER.findall(sample))
    counts: dict[str, int] = {}
    for ch in others:
        script = _script_of(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts or letters == 0:
        return None
    script, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if n / letters < 0.3:
        return None
    if script in {"HIRAGANA", "KATAKANA"} or ("CJK" in counts and _has_kana(counts)):
        return "ja"
    if script == "CYRILLIC" and any(c in text for c in "іїєґ"):
        return "uk"
    return dict(SCRIPT_LANGS)[script]


def without_ascii(text: str, ascii_bytes: bytes = _ASCII_BYTES) -> str:
    """The characters of text but the ASCII ones in ascii_bytes (default: all), in order."""
    # UTF-8 writes ASCII characters, and only them, with bytes below 128: deleting those
    # bytes leaves whole characters. surrogatepass lets a lone surrogate through unchanged.
    utf8 = text.encode("utf-8", "surrogatepass")
    return utf8.translate(None, ascii_bytes).decode("utf-8", "surrogatepass")


def _has_kana(counts: dict[str, int]) -> bool:
    """True when kana letters appear beside the ideographs (Japanese, not Chinese)."""
    return counts.get("HIRAGANA", 0) + counts.get("KATAKANA", 0) > 0


# A word read as one byte, its class: 0 a plain word, 1 a word with a letter only Vietnamese
# writes, then one code per (Vietnamese letter, stopword languages) pair that a stopword has.
# A text's words are then the join of its pieces' bytes: the word count is its length and
# every other count the length left after one bytes.translate. Summing ~220-bit packed counts
# per piece instead cost ~150,000 instructions a seed in big-int additions.
_Class = tuple[bool, frozenset[str]]


def _word_classes() -> tuple[dict[str, int], list[_Class]]:
    """The class code of every stopword, and the (Vietnamese letter, languages) of each code."""
    classes: list[_Class] = [(False, frozenset()), (True, frozenset())]
    codes: dict[str, int] = {}
    for word in sorted(frozenset().union(*STOPWORDS.values())):
        langs = frozenset(lang for lang, stop in STOPWORDS.items() if word in stop)
        key = (not VI_LETTERS.isdisjoint(word), langs)
        if key not in classes:
            classes.append(key)
        codes[word] = classes.index(key)
    return codes, classes


_STOPWORD_CODES, _CLASSES = _word_classes()
# Per count, the codes of the words it does not count: deleting them leaves those it does.
_NOT_VIETNAMESE = bytes(code for code, (vi, _) in enumerate(_CLASSES) if not vi)
_NOT_STOPWORD = {
    lang: bytes(code for code, (_, langs) in enumerate(_CLASSES) if lang not in langs)
    for lang in STOPWORDS
}


def _read_words(piece: str) -> bytes:
    """The class codes of the words of a piece of text without white space, one byte each."""
    return bytes([_class_of(word.lower()) for word in WORD.findall(piece)])


def _class_of(word: str) -> int:
    """The class code of a lower-case word."""
    code = _STOPWORD_CODES.get(word)
    if code is None:
        return 0 if VI_LETTERS.isdisjoint(word) else 1
    return code


# Words never span white space: a text's words are its pieces' words (pieces repeat).
_PIECE_WORDS = Memo(_read_words, size=1 << 15, max_chars=48)


def _latin1_lower_words() -> bytes:
    """A bytes.translate table: a Latin-1 letter of WORD to its lower case, the rest to " "."""
    return b"".join(
        ch.lower().encode("latin-1") if WORD.fullmatch(ch) else b" " for ch in map(chr, range(256))
    )


# Latin-1 lower-cases within itself, letter by letter, and holds no letter only Vietnamese
# writes: a Latin-1 text's words and their codes come from its bytes, without a str (or a
# dict lookup of a str) per piece, which measured most of detect_lang on a German seed.
_LATIN1_LOWER_WORDS = _latin1_lower_words()
_LATIN1_STOPWORD_CODES = {
    word.encode("latin-1"): code
    for word, code in _STOPWORD_CODES.items()
    if word.isascii() or max(word) <= "\xff"
}


def detect_lang(text: str) -> str:
    """ISO 639-1 code of the text's language, or 'und' when the evidence is too thin."""
    return detect_nfc_lang(unicodedata.normalize("NFC", text))


def detect_nfc_lang(text: str) -> str:
    """detect_lang of a text already in NFC (a seed's), which it does not normalise again."""
    head = text[:20000]
    try:
        latin1 = head.encode("latin-1")
    except UnicodeEncodeError:
        return _detect_script(text) or _vote(b"".join(map(_PIECE_WORDS.__getitem__, head.split())))
    # No letter of the scripts detected is Latin-1.
    return _vote(_read_latin1_words(latin1))


def _read_latin1_words(latin1: bytes) -> bytes:
    """The class codes of the words of a text in Latin-1, one byte each."""
    words = latin1.translate(_LATIN1_LOWER_WORDS).split()
    return bytes(map(_LATIN1_STOPWORD_CODES.get, words, repeat(0)))


def _vote(words: bytes) -> str:
    """The language that a text's words (their class codes) vote for, or 'und'."""
    n_words = len(words)
    if n_words < MIN_WORDS:
        return UNKNOWN
    # Plain words (code 0, most of them) add to no other count: dropped once, not per count.
    marked = words.translate(None, b"\0")
    if len(marked.translate(None, _NOT_VIETNAMESE)) / n_words > 0.15:
        return "vi"
    hits = {lang: len(marked.translate(None, drop)) for lang, drop in _NOT_STOPWORD.items()}
    total = sum(hits.values())
    lang, best = max(sorted(hits.items()), key=lambda kv: kv[1])
    if best < 2 or best / max(total, 1) < MIN_SHARE or best / n_words < 0.05:
        return UNKNOWN
    return lang
