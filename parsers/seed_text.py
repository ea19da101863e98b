"""Seed articles as text files: title, body, images, citations, byline, language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from parsers.errors import ParseError
from parsers.lang import detect_nfc_lang, without_ascii
from parsers.records import Article, Citation, Image, to_article_id
from parsers.urls import canonicalize_url

EXTRACTOR = "seed_text/1"
# Vietnamese outlets print local time without an offset.
VN_TZ = timezone(timedelta(hours=7))
MAX_SEED_BYTES = 2_000_000

IMAGE_FILE = re.compile(r"^[^/\\]{1,200}\.(?:jpe?g|png|gif|webp|bmp|tiff?|avif)$", re.IGNORECASE)
# Alt text kept by copy-paste: "<title> - Ảnh 1." / "… - Foto 2".
IMAGE_ALT = re.compile(
    r"^.{3,300}\s[-–]\s(?:Ảnh|Hình|Photo|Foto|Bild|Image)\s*\d+\.?$", re.IGNORECASE
)
CITATION = re.compile(
    r"^(?:Quelle|Source|Sources|Nguồn|Fuente|Fonte)\s*:\s*(https?://\S+?)[.,;)]?$", re.IGNORECASE
)
COMMENTS = re.compile(
    r"^(?:Kommentare?|Comments?|Bình luận|Commentaires?|Comentarios?)\s*\(\d+\)$", re.IGNORECASE
)
# A credit at the end of a caption: "Foto: PV", "(Ảnh: TTXVN)", "(Quelle: VNA)".
CREDIT_WORDS = (
    "Foto",
    "Fotos",
    "Ảnh",
    "Photo",
    "Photos",
    "Bild",
    "Quelle",
    "Nguồn",
    "Source",
    "Credit",
)
CREDIT = re.compile(
    r"[\s(]*(?:" + "|".join(CREDIT_WORDS) + r")\s*:\s*([^():]{1,60}?)\)?\s*$", re.IGNORECASE
)
_CREDIT_WORD_CHARS = max(map(len, CREDIT_WORDS))
_SPACE_OR_PAREN = re.compile(r"[\s(]")
CREDIT_ONLY = re.compile(r"^\(?(?:Foto|Ảnh|Photo|Bild)\s*:\s*[^:]{1,60}\)?$", re.IGNORECASE)
# "Báo Tin Tức•25/11/2025" or "VietnamPlus • 25/11/2025 14:07".
OUTLET_DATE = re.compile(
    r"^(?P<outlet>[^•|]{2,80}?)\s*[•|·]\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
    r"(?:[ ,]+(?P<H>\d{1,2}):(?P<M>\d{2}))?\s*$"
)
BREADCRUMB = re.compile(r"^[^.!?]{1,60}(?:\s[>»›/|]\s[^.!?]{1,60})+$")
# C0 and C1 control characters other than tab and line breaks: binary data shows itself here.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Line breaks and printable characters, in ASCII and in Latin-1.
_PRINTABLE_ASCII = b"\n" + bytes(c for c in range(128) if chr(c).isprintable())
_PRINTABLE_LATIN1 = b"\n" + bytes(c for c in range(256) if chr(c).isprintable())
SENTENCE_END = '.!?…:;"”“»'
TITLE_MAX_WORDS = 30
CAPTION_MAX_WORDS = 80


@dataclass(slots=True)
class _Draft:
    """What the line scanner has found so far."""

    body: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None
    provenance: list[tuple[str, str]] = field(default_factory=list)


def parse_seed_bytes(data: bytes, seed_path: str) -> Article:
    """Decode a seed file's bytes (UTF-8, BOM allowed) and parse it; ParseError when unusable."""
    if not data.strip():
        raise ParseError("empty file")
    if len(data) > MAX_SEED_BYTES:
        raise ParseError(f"file too large: {len(data)} bytes (limit {MAX_SEED_BYTES})")
    if b"\x00" in data[:8192]:
        raise ParseError("binary file: NUL bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8: invalid byte at offset {exc.start}") from None
    return parse_seed_text(text, seed_path)


def parse_seed_text(text: str, seed_path: str) -> Article:
    """Turn one seed article's text into an Article; ParseError when it holds no article."""
    text, printable = _normalize(text)
    lines = list(filter(None, _clean_lines(text, printable)))
    if not lines:
        raise ParseError("no text")
    # Control characters are unprintable: printable lines need no count.
    if not printable and len(CONTROL.findall(text)) > len(text) * 0.05:
        raise ParseError("mostly control characters: not a text file")
    draft = _Draft()
    lines = _take_header(lines, draft)
    lines = _take_footer(lines, draft)
    _scan_body(lines, draft)
    if not draft.body:
        raise ParseError("no body paragraphs")
    # Lines of an NFC text, cut and joined at white space, are NFC: no second normalisation.
    lang = detect_nfc_lang("\n".join([draft.title or "", *draft.body]))
    draft.provenance.append(("lang", "heuristic"))
    draft.provenance.append(("body", "heuristic"))
    return Article(
        article_id=to_article_id(f"seed:{seed_path}"),
        origin="seed",
        seed_path=seed_path,
        lang=lang,
        title=draft.title,
        body=tuple(draft.body),
        author=draft.author,
        published_at=draft.published_at,
        section=draft.outlet,
        images=tuple(draft.images),
        citations=tuple(draft.citations),
        extractor=EXTRACTOR,
        provenance=tuple(draft.provenance),
    )


def _normalize(text: str) -> tuple[str, bool]:
    """The text in NFC with "\\n" line breaks, and whether all its lines are printable."""
    # CR and LF compose with nothing: replacing them before NFC is replacing them after.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        latin1 = text.encode("latin-1")
    except UnicodeEncodeError:
        text = unicodedata.normalize("NFC", text)
        return text, _is_printable(text)
    # Latin-1 text (most seeds) is NFC, and its bytes show its unprintable characters
    # without a Unicode lookup per character: the NFC check and two isprintable passes
    # measured ~0.3 M instructions a seed.
    return text, not latin1.translate(None, _PRINTABLE_LATIN1)


def _is_printable(text: str) -> bool:
    """True when every line of text (split at "\\n") is printable."""
    # Printable ASCII is the bulk of a seed: only the other characters need the Unicode lookup.
    return without_ascii(text, _PRINTABLE_ASCII).isprintable()


def _clean_lines(text: str, printable: bool) -> list[str]:
    """The text's lines, each cleaned (_clean)."""
    lines = text.split("\n")
    if printable and "  " not in text:
        # Its only white space is single spaces: _clean of a line is the line stripped.
        return list(map(str.strip, lines))
    return [_clean(line) for line in lines]


def _clean(line: str) -> str:
    """Strip a line and fold inner runs of white space."""
    # Every white space character but " " is unprintable: most lines are clean already.
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


def _take_header(lines: list[str], draft: _Draft) -> list[str]:
    """Read outlet/date and breadcrumb lines, a leading caption, and the title."""
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        m = OUTLET_DATE.match(line)
        if m:
            draft.outlet = m["outlet"].strip()
            draft.published_at = _to_datetime(m)
            draft.provenance.append(("published_at", "heuristic"))
        elif not BREADCRUMB.match(line):
            break
        i += 1
    rest = lines[i:]
    if len(rest) < 2:
        return rest
    first = rest[0]
    words = first.split()
    # A few words ending in a full stop before the text are a lead photo's caption
    # ("Arbeitsszene.", "Quang cảnh buổi làm việc."): the image line itself was lost.
    if len(words) <= 6 and first.endswith(".") and not first.endswith("./."):
        draft.images.append(Image(caption=first))
        rest = rest[1:]
        first = rest[0] if rest else ""
        words = first.split()
    if (
        rest
        and len(rest) > 1
        and 2 <= len(words) <= TITLE_MAX_WORDS
        and first[-1] not in SENTENCE_END + ","
        and not _is_image_line(first)
        and not _citation(first)
    ):
        draft.title = first
        draft.provenance.append(("title", "heuristic"))
        rest = rest[1:]
    return rest


def _take_footer(lines: list[str], draft: _Draft) -> list[str]:
    """Drop comment counters, collect citation lines and a byline from the end."""
    end = len(lines)
    while end > 0:
        line = lines[end - 1]
        m = _citation(line)
        # A comment counter ends in "(n)".
        if line.endswith(")") and COMMENTS.match(line):
            end -= 1
        elif m:
            citation = Citation(url=canonicalize_url(m[1]), kind="source", text=line)
            draft.citations.insert(0, citation)
            end -= 1
        elif draft.author is None and end > 1 and _is_byline(line):
            draft.author = line
            draft.provenance.append(("author", "heuristic"))
            end -= 1
        else:
            break
    # Citation lines can also stand mid-text (a translation's source under its lead).
    kept = []
    for line in lines[:end]:
        m = _citation(line)
        if m:
            draft.citations.append(Citation(url=canonicalize_url(m[1]), kind="source", text=line))
        else:
            kept.append(line)
    if draft.citations:
        draft.provenance.append(("citations", "heuristic"))
    return kept


def _is_byline(line: str) -> bool:
    """A short signature line: 'PV', 'Herr Tuan', 'Minh Anh (TTXVN)'."""
    words = line.split()
    if not 1 <= len(words) <= 4 or len(line) > 40 or any(ch.isdigit() for ch in line):
        return False
    if line[-1] in ".!?,:;" or line.endswith("./."):
        return False
    return all(w[0].isupper() or w[0] == "(" for w in words)


def _citation(line: str) -> re.Match[str] | None:
    """CITATION.match(line); a line without "://" holds no citation."""
    return CITATION.match(line) if "://" in line else None


def _is_image_file(line: str) -> bool:
    """IMAGE_FILE.match(line): a file name ends in '.' and an extension of 3 or 4 letters."""
    return "." in line[-5:-3] and IMAGE_FILE.match(line) is not None


def _is_image_line(line: str) -> bool:
    """A file-name line, an alt-text line, or a keyword line ending in a comma."""
    if line.endswith(","):
        return True
    if _is_image_file(line):
        return True
    # Alt text ends in a number, perhaps followed by a full stop ("- Ảnh 1.").
    tail = line[-2:].rstrip(".") if line.endswith(".") else line[-1:]
    return tail[-1:].isdecimal() and IMAGE_ALT.match(line) is not None


def _scan_body(lines: list[str], draft: _Draft) -> None:
    """Split the remaining lines into paragraphs and images with captions and credits."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_image_line(line):
            image = _image_from(line)
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if nxt is not None and _is_caption(nxt):
                image = _with_caption(image, nxt)
                i += 1
            draft.images.append(image)
        elif (
            ":" in line
            and CREDIT_ONLY.match(line)
            and draft.images
            and draft.images[-1].credit is None
        ):
            last = draft.images[-1]
            draft.images[-1] = Image(last.url, last.file_name, last.caption, _credit_of(line))
        else:
            draft.body.append(_strip_end_marker(line))
        i += 1
    if draft.images:
        draft.provenance.append(("images", "heuristic"))


def _image_from(line: str) -> Image:
    """An Image for a file-name or alt-text line (alt text is never the caption)."""
    if _is_image_file(line):
        return Image(file_name=line)
    return Image()


def _is_caption(line: str) -> bool:
    """The line under an image is its caption unless it is long running text or another image."""
    return not _is_image_line(line) and len(line.split()) <= CAPTION_MAX_WORDS


def _with_caption(image: Image, line: str) -> Image:
    """Attach a caption line, splitting off a trailing photo credit."""
    credit = _find_credit(line)
    if credit and credit[0] > 0:
        caption = line[: credit[0]].rstrip(" .(") + "."
        return Image(image.url, image.file_name, caption, credit[1].strip())
    return Image(image.url, image.file_name, line, image.credit)


def _find_credit(line: str) -> tuple[int, str] | None:
    """CREDIT.search(line) as (start, credit name), without trying every position."""
    # A credit holds the line's last colon, its word ends where the white space before that
    # colon starts, and the match starts where the spaces and parentheses before the word do.
    colon = line.rfind(":")
    if colon == -1:
        return None
    word_end = colon
    while word_end > 0 and line[word_end - 1].isspace():
        word_end -= 1
    m = CREDIT.search(line, max(0, word_end - _CREDIT_WORD_CHARS))
    if m is None:
        return None
    start = m.start()
    while start > 0 and _SPACE_OR_PAREN.match(line, start - 1):
        start -= 1
    return start, m[1]


def _credit_of(line: str) -> str:
    """The name in a credit-only line."""
    return line.strip("()").split(":", 1)[1].strip()


def _strip_end_marker(line: str) -> str:
    """Drop the Vietnamese end-of-article marker './.' from a paragraph."""
    return line[:-2] if line.endswith("./.") else line


def _to_datetime(m: re.Match[str]) -> datetime | None:
    """A Vietnamese local date (and time) from an outlet line, or None when invalid."""
    try:
        return datetime(
            int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), tzinfo=VN_TZ
        )
    except ValueError:
        return None
