"""Bytes of a fetched page to NFC text: BOM, then HTTP charset, then <meta>, then detection."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

# Checked longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# HTML5 looks for the <meta> declaration in the first 1024 bytes; real CMS pages put it later,
# behind long comment banners, so look a little further.
META_SCAN_BYTES = 8192
# Enough for charset_normalizer to decide, without reading a multi-MB page.
DETECT_SCAN_BYTES = 65536
CONTENT_TYPE_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
# WHATWG: these labels mean windows-1252; and a page labelled latin-1 that is valid UTF-8 is
# UTF-8 (a frequent server default on Vietnamese hosts).
LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "cp1252"}
)
UTF16_CODECS = frozenset({"utf-16", "utf-16-le", "utf-16-be"})


def decode_html(body: bytes, content_type: str | None = None, *, nfc: bool = True) -> str:
    """Decode a page to NFC text, never raising on bad bytes.

    Args:
        body: the raw response body.
        content_type: the HTTP Content-Type header, if any (its charset wins over <meta>).
        nfc: False leaves normalisation to the caller (parse_html normalises the page after
            cutting scripts and styles: an eighth of the text, an eighth of the cost).

    Returns:
        The page as an NFC-normalised str; undecodable bytes become U+FFFD.
    """
    text = _decode(body, content_type)
    return to_nfc(text) if nfc else text


def declares_utf8(body: bytes, content_type: str | None) -> bool:
    """True when decode_html decodes the page as UTF-8 (bad bytes replaced) by its declaration."""
    if body.startswith(tuple(bom for bom, _ in BOMS)):
        return False
    return (_charset_from_header(content_type) or _charset_from_meta(body)) == "utf-8"


def _decode(body: bytes, content_type: str | None) -> str:
    """Decode by BOM, declared charset, clean UTF-8, then detection."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    from_header = _charset_from_header(content_type)
    declared = from_header or _charset_from_meta(body)
    if declared:
        if declared in LATIN1_LABELS:
            utf8 = _as_utf8(body)
            if utf8 is not None:
                return utf8
            declared = "cp1252"
        # A <meta> cannot truthfully declare UTF-16 in an ASCII-compatible byte stream.
        if from_header or declared not in UTF16_CODECS:
            return body.decode(declared, errors="replace")
    utf8 = _as_utf8(body)
    return utf8 if utf8 is not None else body.decode(_detect(body), errors="replace")


def _charset_from_header(content_type: str | None) -> str | None:
    """The known codec named by a Content-Type header's charset parameter."""
    if not content_type:
        return None
    m = CONTENT_TYPE_CHARSET_RE.search(content_type)
    return _known_codec(m[1]) if m else None


def _charset_from_meta(body: bytes) -> str | None:
    """The known codec named by <meta charset> or <meta http-equiv=Content-Type> near the top."""
    m = META_CHARSET_RE.search(body[:META_SCAN_BYTES])
    return _known_codec(m[1].decode("ascii", errors="ignore")) if m else None


def _known_codec(label: str) -> str | None:
    """Python's canonical codec name for a charset label, or None when unknown."""
    label = label.strip().lower()
    if label in LATIN1_LABELS:
        return label
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _as_utf8(body: bytes) -> str | None:
    """The text when the bytes are valid UTF-8, else None (one decode tests and converts)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _detect(body: bytes) -> str:
    """The encoding charset_normalizer finds; UTF-8 instead of any Latin-1 guess."""
    best = charset_normalizer.from_bytes(body[:DETECT_SCAN_BYTES]).best()
    if best is None:
        return "utf-8"
    name = _known_codec(best.encoding) or "utf-8"
    # An undeclared page guessed as Latin-1 is nearly always broken UTF-8 here; keep the
    # Vietnamese letters that do decode rather than turning all of them into mojibake.
    return "utf-8" if name in LATIN1_LABELS else name


def to_nfc(text: str) -> str:
    """NFC-normalise: windows-1258 and some editors emit combining tone marks."""
    return unicodedata.normalize("NFC", text)
